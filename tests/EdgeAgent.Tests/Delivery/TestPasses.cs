using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Imaging;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Events;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>Vehicle passes and matches as the tracker and the watchlist would hand them over.</summary>
internal static class TestPasses
{
    public static readonly HitMatch Stolen = new("W-17", "stolen vehicle", 5, MatchKind.Exact);

    /// <summary>
    /// A pass of <paramref name="plate"/> seen in 12 frames, the last at <paramref name="time"/>'s now, a frame every
    /// 40 ms, best in the eighth; with a 200x60 crop unless <paramref name="crop"/> is false.
    /// </summary>
    public static VehiclePass Pass(TimeProvider time, string plate = "AYO9034", PlateRegion region = PlateRegion.Latin, bool crop = true, int seed = 1)
    {
        var text = PlateText.Parse(plate, region);
        var now = time.GetTimestamp();
        var frame = (long)(0.040 * time.TimestampFrequency);
        var observations = Enumerable.Range(0, 12).Select(i => new PlateObservation(
            1000 + i,
            now - ((11 - i) * frame),
            TimeSpan.FromMilliseconds(40 * (1000 + i)),
            new PixelRect(400 + (i * 10), 300, 200, 60),
            0.9f,
            text,
            Enumerable.Repeat(0.97f, text.Value.Length).ToArray(),
            0.97f)).ToArray();
        return new VehiclePass(
            TrackId: seed,
            Text: text,
            CharConfidences: Enumerable.Repeat(0.95f, text.Value.Length).ToArray(),
            Confidence: 0.9512345f,
            Reads: 10,
            Frames: observations.Select(o => o.FrameSequence).ToArray(),
            FrameTimes: observations.Select(o => o.SourceTime).ToArray(),
            First: observations[0],
            Last: observations[^1],
            Best: observations[7],
            BestCrop: crop ? new PlateCrop(TestImages.Plate(200, 60, seed), 200, 60) : null);
    }
}
