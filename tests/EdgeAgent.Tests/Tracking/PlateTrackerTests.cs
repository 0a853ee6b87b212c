using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Tracking;

public sealed class PlateTrackerTests
{
    private const int Width = 640;
    private const int Height = 360;
    private static readonly byte[] Frame = new byte[Width * Height];
    private readonly FakeTimeProvider _time = new();
    private long _sequence;

    [Fact]
    public void A_plate_seen_over_several_frames_gives_one_pass_with_the_voted_text()
    {
        var tracker = new PlateTracker(new TrackingOptions(), _time);
        var reads = new[] { "AYO9034", "AY09034", "AYO9034", "AYO9O34", "AYO9034" };
        var passes = new List<VehiclePass>();
        for (var i = 0; i < reads.Length; i++)
        {
            passes.AddRange(Step(tracker, Observation(new PixelRect(100 + (i * 12), 200 - (i * 6), 120, 30), reads[i], 0.8f)));
        }

        passes.AddRange(tracker.Flush());

        var pass = Assert.Single(passes);
        Assert.Equal("AYO9034", pass.Text.Value);
        Assert.Equal(5, pass.Reads);
        Assert.Equal(5, pass.Frames.Count);
        Assert.True(pass.Confidence is > 0.4f and < 0.8f, $"a split vote lowers the confidence: {pass.Confidence}");
        Assert.NotNull(pass.BestCrop);
    }

    [Fact]
    public void A_track_ends_after_the_gap_and_reports_itself_then()
    {
        var tracker = new PlateTracker(new TrackingOptions { MaxGap = TimeSpan.FromMilliseconds(200) }, _time);
        Step(tracker, Observation(new PixelRect(100, 100, 120, 30), "AYO9034", 0.9f));
        Step(tracker, Observation(new PixelRect(105, 100, 120, 30), "AYO9034", 0.9f));

        Assert.Empty(Step(tracker));
        _time.Advance(TimeSpan.FromMilliseconds(300));
        var pass = Assert.Single(Step(tracker));

        Assert.Equal("AYO9034", pass.Text.Value);
        Assert.Equal(0, tracker.ActiveTracks);
    }

    [Fact]
    public void Two_plates_in_the_same_frames_keep_their_own_tracks()
    {
        var tracker = new PlateTracker(new TrackingOptions(), _time);
        for (var i = 0; i < 3; i++)
        {
            Step(
                tracker,
                Observation(new PixelRect(50 + (i * 5), 200, 100, 25), "AYO9034", 0.9f),
                Observation(new PixelRect(450 - (i * 5), 210, 100, 25), "BCD1234", 0.9f));
        }

        var passes = tracker.Flush();

        Assert.Equal(["AYO9034", "BCD1234"], passes.Select(p => p.Text.Value).Order());
    }

    [Fact]
    public void A_single_stray_read_in_a_live_run_is_not_a_vehicle_pass()
    {
        var tracker = new PlateTracker(new TrackingOptions { MinReads = 2, MaxGap = TimeSpan.FromMilliseconds(100) }, _time);
        Step(tracker, Observation(new PixelRect(100, 100, 120, 30), "AYO9034", 0.9f));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(Step(tracker));
    }

    [Fact]
    public void At_the_end_of_an_input_a_single_read_counts_for_a_still_image()
    {
        var tracker = new PlateTracker(new TrackingOptions { MinReads = 2 }, _time);
        Step(tracker, Observation(new PixelRect(100, 100, 120, 30), "AYO9034", 0.9f));

        Assert.Single(tracker.Flush());
    }

    [Fact]
    public void Reads_of_another_format_do_not_lend_characters()
    {
        var reads = new[]
        {
            Observation(new PixelRect(0, 0, 10, 10), "238CM02", 0.6f, PlateRegion.Kz),
            Observation(new PixelRect(0, 0, 10, 10), "238CM02", 0.6f, PlateRegion.Kz),
            Observation(new PixelRect(0, 0, 10, 10), "A238CMB", 0.9f, PlateRegion.Kz),
        };

        var vote = PlateVote.Vote(reads);

        Assert.Equal("238CM02", vote!.Text.Value);
    }

    private IReadOnlyList<VehiclePass> Step(PlateTracker tracker, params PlateObservation[] observations)
    {
        _time.Advance(TimeSpan.FromMilliseconds(40));
        _sequence++;
        return tracker.Update(_time.GetTimestamp(), observations, Frame, Width, Height);
    }

    private PlateObservation Observation(PixelRect box, string text, float confidence, PlateRegion region = PlateRegion.Latin)
    {
        var plate = PlateText.Parse(text, region);
        return new PlateObservation(_sequence + 1, _time.GetTimestamp() + 1, TimeSpan.Zero, box, 0.9f, plate, Enumerable.Repeat(confidence, plate.Value.Length).ToArray(), confidence);
    }
}
