using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>
/// The per-frame stage: when the detector runs (gate, vehicle signal, warm-up, change of light) and which plates are
/// kept (region of interest, minimum width), with a stand-in model whose plates the test places. 1280x720 frames show
/// at scale 0.5 in the 640x384 input, so a plate of w input pixels is 2w frame pixels wide.
/// </summary>
public sealed class DetectionStageTests : IDisposable
{
    private const int Width = 1280;
    private const int Height = 720;
    private static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(40);
    private static readonly TimeSpan ShortWarmup = TimeSpan.FromSeconds(0.2);

    private readonly FakeDetectorSession _session = new(FakeDetectorSession.CommittedContract);
    private readonly PlateDetector _detector;
    private readonly SyntheticScene _scene = new(Width, Height);
    private readonly FakeTimeProvider _time = new();
    private readonly List<PlateDetection> _plates = [];

    public DetectionStageTests()
    {
        _detector = new PlateDetector(_session, _session.Contract);
    }

    public void Dispose() => _detector.Dispose();

    [Fact]
    public void Plates_narrower_than_the_minimum_width_are_dropped()
    {
        var stage = Stage(new DetectionOptions { MinPlateWidth = 60, MotionGate = { Enabled = false } });
        _session.AddPlate(0.9f, 100, 100, 140, 110);   // 80 px wide in the frame: kept
        _session.AddPlate(0.8f, 300, 100, 325, 110);   // 50 px: dropped
        _session.AddPlate(0.7f, 500, 100, 530, 110);   // 60 px: kept

        Assert.Equal(DetectionTrigger.Always, Process(stage, _scene.Frame()));

        Assert.Equal([80.0, 60.0], _plates.Select(p => p.Box.Width));
    }

    [Fact]
    public void Plates_whose_centre_lies_outside_the_region_of_interest_are_dropped()
    {
        // A triangle over the left and bottom of the picture.
        var options = new DetectionOptions { MinPlateWidth = 0, MotionGate = { Enabled = false } };
        foreach (var point in (NormalizedPoint[])[new(0, 0), new(1, 1), new(0, 1)])
        {
            options.RegionOfInterest.Add(point);
        }

        var stage = Stage(options);
        _session.AddPlate(0.9f, 40, 300, 80, 310);     // frame centre (120, 610): inside
        _session.AddPlate(0.8f, 500, 40, 540, 50);     // (1040, 90): outside

        Process(stage, _scene.Frame());

        Assert.Equal(120, Assert.Single(_plates).Box.CentreX);
    }

    [Fact]
    public void A_still_scene_is_not_looked_at_unless_the_vehicle_signal_says_a_vehicle_is_there()
    {
        var stage = WarmedUp(Stage(new DetectionOptions { MotionGate = { Warmup = ShortWarmup } }));
        _session.AddPlate(0.9f, 100, 100, 140, 110);
        var runs = _session.Runs;

        Assert.Equal(DetectionTrigger.None, Process(stage, _scene.Frame()));
        Assert.Empty(_plates);
        Assert.Equal(runs, _session.Runs);

        Assert.Equal(DetectionTrigger.VehicleSignal, Process(stage, _scene.Frame(), vehiclePresent: true));
        Assert.Single(_plates);
        Assert.Equal(runs + 1, _session.Runs);
    }

    [Fact]
    public void Motion_runs_the_detector_on_the_moving_area_and_plates_map_back_from_it()
    {
        var stage = WarmedUp(Stage(new DetectionOptions { MinPlateWidth = 0, MotionGate = { Warmup = ShortWarmup } }));
        _session.AddPlate(0.9f, 100, 100, 140, 110);
        var vehicle = new PixelRect(600, 300, 240, 140);

        Assert.Equal(DetectionTrigger.Motion, Process(stage, _scene.Frame(vehicle)));

        // The moving area is small, so it is letterboxed on its own at 1:1: input pixels are frame pixels offset by its corner.
        var area = _detector.InputRegion(stage.Gate!.Bounds, Width, Height);
        Assert.Equal((640, 384), (area.Width, area.Height));
        Assert.Equal(new PlateBox(area.X + 100, area.Y + 100, area.X + 140, area.Y + 110), Assert.Single(_plates).Box);
    }

    [Fact]
    public void The_warm_up_and_a_change_of_light_look_at_the_whole_picture()
    {
        var stage = Stage(new DetectionOptions { MotionGate = { Warmup = ShortWarmup } });

        Assert.Equal(DetectionTrigger.Warmup, Process(stage, _scene.Frame()));
        for (var i = 0; i < 10; i++)
        {
            Process(stage, _scene.Frame());
        }

        Assert.Equal(DetectionTrigger.None, Process(stage, _scene.Frame()));
        Assert.Equal(DetectionTrigger.LightingChange, Process(stage, _scene.Frame(60)));
        Assert.Equal(DetectionTrigger.None, Process(stage, _scene.Frame(60)));
    }

    private DetectionStage Stage(DetectionOptions options) => new(_detector, options, _time);

    private DetectionStage WarmedUp(DetectionStage stage)
    {
        while (Process(stage, _scene.Frame()) == DetectionTrigger.Warmup)
        {
        }

        return stage;
    }

    private DetectionTrigger Process(DetectionStage stage, byte[] gray, bool vehiclePresent = false)
    {
        _time.Advance(FrameInterval);
        using var frame = TestFrames.Create(gray, Width, Height, _time.GetTimestamp());
        return stage.Process(frame, vehiclePresent, _plates);
    }
}
