using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Imaging;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Detection;

/// <summary>Why the detector did or did not run on a frame.</summary>
public enum DetectionTrigger
{
    /// <summary>Nothing moved: the detector did not run.</summary>
    None,

    /// <summary>It ran on the moving area (<see cref="MotionGate.Bounds"/>).</summary>
    Motion,

    /// <summary>It ran on the whole watched picture because the external vehicle signal (a loop detector) said so.</summary>
    VehicleSignal,

    /// <summary>It ran on the whole watched picture while the gate learns its background.</summary>
    Warmup,

    /// <summary>It ran on the whole watched picture after a change of light (the gate re-learnt its background).</summary>
    LightingChange,

    /// <summary>The gate is off: it runs on the whole watched picture every frame.</summary>
    Always,
}

/// <summary>
/// The per-frame detection step of the pipeline: the motion gate decides whether and where to look, the detector
/// looks there, and plates outside the region of interest (by centre) or narrower than
/// <see cref="DetectionOptions.MinPlateWidth"/> are dropped. The "whole watched picture" is the bounding box of the
/// region of interest (the whole frame without one). <see cref="PlateDetector.Detect(Frame)"/> is the path that
/// ignores all of this, for stills.
/// </summary>
/// <remarks>One stage serves one camera from one thread. It does not own the detector (the container does).</remarks>
public sealed class DetectionStage
{
    private readonly PlateDetector _detector;
    private readonly MotionGate? _gate;
    private readonly RegionOfInterest _roi;
    private readonly int _minPlateWidth;

    public DetectionStage(PlateDetector detector, DetectionOptions options, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _detector = detector;
        _roi = new RegionOfInterest(options.RegionOfInterest);
        _minPlateWidth = options.MinPlateWidth;
        if (options.MotionGate.Enabled)
        {
            _gate = new MotionGate(options.MotionGate, _roi, time, logger);
        }
        else if (logger is not null)
        {
            Log.GateDisabled(logger);
        }
    }

    /// <summary>The gate, or null when it is off; its regions describe the last frame.</summary>
    public MotionGate? Gate => _gate;

    public RegionOfInterest RegionOfInterest => _roi;

    /// <summary>
    /// Looks for plates in a frame where the gate (or <paramref name="vehiclePresent"/>) says to, replacing the contents
    /// of <paramref name="results"/> with what is found, best first; returns why the detector ran, or
    /// <see cref="DetectionTrigger.None"/>.
    /// </summary>
    /// <param name="frame">The frame; not kept.</param>
    /// <param name="vehiclePresent">An external signal (a loop detector) that a vehicle is there: look even if nothing moves.</param>
    /// <param name="results">Cleared, then filled.</param>
    public DetectionTrigger Process(Frame frame, bool vehiclePresent, List<PlateDetection> results)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Process(frame.Pixels, frame.Width, frame.Height, frame.Timestamp, frame.Sequence, vehiclePresent, results);
    }

    /// <inheritdoc cref="Process(Frame, bool, List{PlateDetection})"/>
    public DetectionTrigger Process(
        ReadOnlySpan<byte> gray, int width, int height, long timestamp, long sequence, bool vehiclePresent, List<PlateDetection> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        results.Clear();
        var watched = _roi.Bounds(width, height);
        var state = _gate?.Update(gray, width, height, timestamp, sequence);
        var (trigger, region) = state switch
        {
            null => (DetectionTrigger.Always, watched),
            _ when vehiclePresent => (DetectionTrigger.VehicleSignal, watched),
            MotionState.WarmingUp => (DetectionTrigger.Warmup, watched),
            MotionState.LightingChange => (DetectionTrigger.LightingChange, watched),
            MotionState.Moving => (DetectionTrigger.Motion, Intersect(_gate!.Bounds, watched)),
            _ => (DetectionTrigger.None, default),
        };

        if (region.IsEmpty)
        {
            return DetectionTrigger.None;
        }

        _detector.Detect(gray, width, height, region, results);
        Filter(results, _roi, _minPlateWidth, width, height);
        return trigger;
    }

    /// <summary>Drops plates narrower than <paramref name="minWidth"/> or whose centre lies outside <paramref name="roi"/>, keeping the order.</summary>
    internal static void Filter(List<PlateDetection> results, RegionOfInterest roi, int minWidth, int width, int height)
    {
        var kept = 0;
        for (var i = 0; i < results.Count; i++)
        {
            var box = results[i].Box;
            if (box.Width >= minWidth && roi.Contains(box.CentreX, box.CentreY, width, height))
            {
                results[kept++] = results[i];
            }
        }

        results.RemoveRange(kept, results.Count - kept);
    }

    private static PixelRect Intersect(PixelRect a, PixelRect b)
    {
        var x = Math.Max(a.X, b.X);
        var y = Math.Max(a.Y, b.Y);
        var w = Math.Min(a.Right, b.Right) - x;
        var h = Math.Min(a.Bottom, b.Bottom) - y;
        return w > 0 && h > 0 ? new PixelRect(x, y, w, h) : default;
    }
}
