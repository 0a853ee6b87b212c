using System.ComponentModel.DataAnnotations;

namespace EdgeAnpr.Agent.Detection;

/// <summary>
/// The motion gate (section <c>Detection:MotionGate</c>): a running-average background on a small copy of each frame;
/// the detector runs only where the picture differs from it. See <see cref="Detection.MotionGate"/>.
/// </summary>
public sealed class MotionGateOptions
{
    /// <summary>Default <see cref="DownscaleWidth"/>: 160 px (1920x1080 becomes 160x90).</summary>
    public const int DefaultDownscaleWidth = 160;

    /// <summary>Default <see cref="Threshold"/>: 20 gray levels.</summary>
    public const int DefaultThreshold = 20;

    /// <summary>Default <see cref="LearningRate"/>: 0.02 per frame (the background follows the scene in about 2 s at 25 fps).</summary>
    public const double DefaultLearningRate = 0.02;

    /// <summary>Default <see cref="MinAreaFraction"/>: 0.005 of the frame (about 100x100 px at 1920x1080).</summary>
    public const double DefaultMinAreaFraction = 0.005;

    /// <summary>Default <see cref="LightingChangeFraction"/>: half the watched picture.</summary>
    public const double DefaultLightingChangeFraction = 0.5;

    /// <summary>Default <see cref="Warmup"/>: 2 s.</summary>
    public static readonly TimeSpan DefaultWarmup = TimeSpan.FromSeconds(2);

    /// <summary>Run the detector only where something moves; default true. False: on the whole frame (or region of interest) every frame.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Width of the small picture the gate compares, in pixels; default <see cref="DefaultDownscaleWidth"/>. The frame is
    /// box-filtered by the whole factor that brings it nearest this width without going under (so the cost is one read
    /// of the frame).
    /// </summary>
    [Range(32, 640)]
    public int DownscaleWidth { get; set; } = DefaultDownscaleWidth;

    /// <summary>Gray levels (0-255) a small pixel must differ from the background to count as moving; default <see cref="DefaultThreshold"/>.</summary>
    [Range(1, 255)]
    public int Threshold { get; set; } = DefaultThreshold;

    /// <summary>
    /// Fraction by which the background moves towards each frame; default <see cref="DefaultLearningRate"/>. Pixels
    /// seen moving learn at a tenth of it, so a vehicle that stops fades into the background in a few times 10/rate
    /// frames (about 20 s at 25 fps by default), while slow changes of light are followed at the full rate.
    /// </summary>
    [Range(0.0001, 1.0)]
    public double LearningRate { get; set; } = DefaultLearningRate;

    /// <summary>Smallest moving area reported, as a fraction of the frame; default <see cref="DefaultMinAreaFraction"/>. Smaller blobs (birds, leaves, noise) are ignored.</summary>
    [Range(0.0, 1.0)]
    public double MinAreaFraction { get; set; } = DefaultMinAreaFraction;

    /// <summary>
    /// When more than this fraction of the watched picture changes at once, it is taken for a change of light (auto
    /// exposure, headlights, a cloud) rather than motion: the background is re-learnt from that frame and the detector
    /// runs on the whole watched picture once. Default <see cref="DefaultLightingChangeFraction"/>.
    /// </summary>
    [Range(0.05, 1.0)]
    public double LightingChangeFraction { get; set; } = DefaultLightingChangeFraction;

    /// <summary>How long after start the background is still being learnt, during which the detector runs on every whole frame; default <see cref="DefaultWarmup"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan Warmup { get; set; } = DefaultWarmup;
}
