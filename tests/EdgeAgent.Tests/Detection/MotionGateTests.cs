using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>The motion gate on synthetic 1280x720 frames at 25 frames a second, on a clock the test moves.</summary>
public sealed class MotionGateTests
{
    private const int Width = 1280;
    private const int Height = 720;
    private static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(40);
    /// <summary>A block of the gate's grid in frame pixels: 1280 / 160 = 8 frame pixels a small pixel, 4 small pixels a block.</summary>
    private const int Block = 8 * MotionGate.BlockSize;

    private static readonly MotionGateOptions Options = new() { Warmup = TimeSpan.FromSeconds(0.4) };

    private readonly SyntheticScene _scene = new(Width, Height);
    private readonly FakeTimeProvider _time = new();
    private long _sequence;

    [Fact]
    public void The_background_is_learnt_during_the_warm_up_then_a_still_scene_has_no_motion()
    {
        var gate = new MotionGate(Options, RegionOfInterest.WholeFrame, _time);

        var warmup = Enumerable.Range(0, 10).Select(_ => Next(gate, _scene.Frame())).ToArray();
        var after = Enumerable.Range(0, 50).Select(_ => Next(gate, _scene.Frame())).ToArray();

        Assert.All(warmup, s => Assert.Equal(MotionState.WarmingUp, s));
        Assert.All(after, s => Assert.Equal(MotionState.Still, s));
        Assert.Empty(gate.Regions);
        Assert.True(gate.Bounds.IsEmpty);
        Assert.Equal((160, 90), gate.SmallSize);
    }

    [Fact]
    public void The_region_follows_a_moving_vehicle_and_it_leaves_no_ghost_behind()
    {
        var gate = WarmedUp(new MotionGate(Options, RegionOfInterest.WholeFrame, _time));

        for (var step = 0; step < 40; step++)
        {
            var vehicle = new PixelRect(50 + (25 * step), 300 + (2 * step), 240, 140);
            Assert.Equal(MotionState.Moving, Next(gate, _scene.Frame(vehicle)));

            var region = Assert.Single(gate.Regions);
            Assert.Equal(region, gate.Bounds);
            Assert.True(Contains(region, vehicle), $"step {step}: region {region} does not hold the vehicle {vehicle}");
            Assert.True(Contains(Inflate(vehicle, 2 * Block), region), $"step {step}: region {region} reaches more than two blocks beyond the vehicle {vehicle}");
        }

        // Gone: the scene is still again at once, with no trail where it passed.
        Assert.Equal(MotionState.Still, Next(gate, _scene.Frame()));
    }

    [Fact]
    public void Two_vehicles_apart_are_two_regions()
    {
        var gate = WarmedUp(new MotionGate(Options, RegionOfInterest.WholeFrame, _time));
        Assert.Equal(MotionState.Moving, Next(gate, _scene.Frame(new PixelRect(100, 100, 200, 120), new PixelRect(900, 500, 200, 120))));

        Assert.Equal(2, gate.Regions.Count);
        Assert.Contains(gate.Regions, r => Contains(r, new PixelRect(100, 100, 200, 120)));
        Assert.Contains(gate.Regions, r => Contains(r, new PixelRect(900, 500, 200, 120)));
        Assert.True(Contains(gate.Bounds, new PixelRect(100, 100, 1000, 520)));
    }

    [Fact]
    public void A_global_brightness_jump_is_a_change_of_light_and_the_background_is_relearnt()
    {
        var gate = WarmedUp(new MotionGate(Options, RegionOfInterest.WholeFrame, _time));

        Assert.Equal(MotionState.LightingChange, Next(gate, _scene.Frame(50)));
        Assert.True(gate.ChangedFraction > 0.9);
        Assert.Empty(gate.Regions);

        Assert.Equal(MotionState.Still, Next(gate, _scene.Frame(50)));
        Assert.Equal(MotionState.Still, Next(gate, _scene.Frame(50)));
        Assert.Equal(MotionState.Moving, Next(gate, _scene.Frame(50, new PixelRect(400, 200, 240, 140))));
    }

    [Fact]
    public void A_slow_drift_of_light_is_followed_without_any_motion()
    {
        var options = new MotionGateOptions { Warmup = Options.Warmup, LearningRate = 0.05 };
        var gate = WarmedUp(new MotionGate(options, RegionOfInterest.WholeFrame, _time));

        // 60 levels darker over 6 s (0.4 a frame): the background lags 0.4 / 0.05 = 8 levels behind, under the threshold.
        for (var i = 1; i <= 150; i++)
        {
            Assert.Equal(MotionState.Still, Next(gate, _scene.Frame(-2 * i / 5)));
        }
    }

    [Fact]
    public void Motion_outside_the_region_of_interest_is_ignored()
    {
        // The left half of the picture.
        var roi = new RegionOfInterest([new(0, 0), new(0.5, 0), new(0.5, 1), new(0, 1)]);
        var gate = WarmedUp(new MotionGate(Options, roi, _time));

        Assert.Equal(MotionState.Still, Next(gate, _scene.Frame(new PixelRect(800, 300, 240, 140))));
        Assert.Equal(MotionState.Still, Next(gate, _scene.Frame(new PixelRect(850, 300, 240, 140))));
        Assert.Equal(MotionState.Moving, Next(gate, _scene.Frame(new PixelRect(200, 300, 240, 140))));
        Assert.True(gate.Bounds.Right <= 700, $"region {gate.Bounds} reaches far outside the region of interest");
    }

    [Fact]
    public void A_change_of_light_is_judged_on_the_region_of_interest_only()
    {
        var roi = new RegionOfInterest([new(0, 0), new(0.3, 0), new(0.3, 1), new(0, 1)]);
        var gate = WarmedUp(new MotionGate(Options, roi, _time));

        // A vehicle filling most of the watched strip is taken for a change of light (the caller then runs the detector
        // on the whole strip for that frame, so it is still looked at); the picture is still once re-learnt.
        Assert.Equal(MotionState.LightingChange, Next(gate, _scene.Frame(new PixelRect(0, 0, 384, 600))));
        Assert.Equal(MotionState.Still, Next(gate, _scene.Frame(new PixelRect(0, 0, 384, 600))));
    }

    [Fact]
    public void Blobs_smaller_than_the_minimum_area_are_ignored()
    {
        var gate = WarmedUp(new MotionGate(Options, RegionOfInterest.WholeFrame, _time));

        // 40x40 px = 25 small pixels, under 0.005 of 160x90 (72).
        Assert.Equal(MotionState.Still, Next(gate, _scene.Frame(new PixelRect(600, 300, 40, 40))));
        Assert.Equal(MotionState.Moving, Next(gate, _scene.Frame(new PixelRect(600, 300, 120, 80))));
    }

    [Fact]
    public void A_new_frame_size_starts_learning_again()
    {
        var gate = WarmedUp(new MotionGate(Options, RegionOfInterest.WholeFrame, _time));
        var small = new SyntheticScene(640, 360);

        Assert.Equal(MotionState.WarmingUp, gate.Update(small.Frame(), 640, 360, _time.GetTimestamp()));
        Assert.Equal((160, 90), gate.SmallSize);
    }

    [Fact]
    public void Updating_allocates_nothing_once_sized()
    {
        var gate = WarmedUp(new MotionGate(Options, RegionOfInterest.WholeFrame, _time));
        var frames = new[] { _scene.Frame(new PixelRect(100, 300, 240, 140)), _scene.Frame(new PixelRect(140, 300, 240, 140)), _scene.Frame() };
        foreach (var frame in frames)
        {
            gate.Update(frame, Width, Height, _time.GetTimestamp());
        }

        // Many updates, so a one-time runtime event (tiering) cannot fail the test but any allocation per
        // update (24 bytes at least) would: 600 updates x 24 B > the 8 KB allowed.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            foreach (var frame in frames)
            {
                gate.Update(frame, Width, Height, _time.GetTimestamp());
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8 * 1024, $"{allocated} bytes allocated over 600 updates");
    }

    private static PixelRect Inflate(PixelRect rect, int by) => new(rect.X - by, rect.Y - by, rect.Width + (2 * by), rect.Height + (2 * by));

    private static bool Contains(PixelRect outer, PixelRect inner) =>
        outer.X <= inner.X && outer.Y <= inner.Y && outer.Right >= inner.Right && outer.Bottom >= inner.Bottom;

    private MotionGate WarmedUp(MotionGate gate)
    {
        for (var i = 0; i < 12; i++)
        {
            Next(gate, _scene.Frame());
        }

        Assert.Equal(MotionState.Still, Next(gate, _scene.Frame()));
        return gate;
    }

    private MotionState Next(MotionGate gate, byte[] frame)
    {
        _time.Advance(FrameInterval);
        using var captured = TestFrames.Create(frame, Width, Height, _time.GetTimestamp(), _sequence++);
        return gate.Update(captured);
    }
}
