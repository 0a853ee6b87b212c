using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Detection;

/// <summary>Where plates are looked for and which finds are kept (section <c>Detection</c>).</summary>
public sealed class DetectionOptions : IValidatableObject
{
    public const string SectionName = "Detection";

    /// <summary>Default <see cref="ModelPath"/>: the detector shipped beside the program.</summary>
    public const string DefaultModelPath = "models/plate-detector.onnx";

    /// <summary>Default <see cref="MinPlateWidth"/>: 40 px, below which the reader cannot tell the characters apart.</summary>
    public const int DefaultMinPlateWidth = 40;

    /// <summary>
    /// The detector model; default <see cref="DefaultModelPath"/>. A relative path is taken from the program's folder
    /// (<see cref="AppContext.BaseDirectory"/>), not the current directory. Its contract, the file of the same name
    /// with the extension <c>.json</c>, must sit beside it.
    /// </summary>
    [Required]
    public string ModelPath { get; set; } = DefaultModelPath;

    /// <summary>Lowest plate score kept; default (null) the model's own <c>scoreThreshold</c> from its contract.</summary>
    [Range(0.01, 0.99)]
    public double? ScoreThreshold { get; set; }

    /// <summary>
    /// The part of the picture where plates are read: a polygon of at least 3 points in normalised coordinates
    /// (0..1 of the frame's width and height, from the top-left corner), so it survives a change of camera resolution.
    /// Plates whose centre lies outside are dropped and motion outside is ignored. Empty (the default): the whole frame.
    /// </summary>
    [ValidateEnumeratedItems]
    public IList<NormalizedPoint> RegionOfInterest { get; } = new List<NormalizedPoint>();

    /// <summary>Narrowest plate kept, in frame pixels; default <see cref="DefaultMinPlateWidth"/>. 0 keeps all.</summary>
    [Range(0, 4096)]
    public int MinPlateWidth { get; set; } = DefaultMinPlateWidth;

    /// <summary>The cheap foreground test that decides where (and whether) the detector runs.</summary>
    [ValidateObjectMembers]
    public MotionGateOptions MotionGate { get; set; } = new();

    /// <summary>The program's folder joined with <see cref="ModelPath"/> when that is relative.</summary>
    public string ResolvedModelPath => Path.GetFullPath(ModelPath, AppContext.BaseDirectory);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RegionOfInterest.Count is > 0 and < 3)
        {
            yield return new ValidationResult(
                $"Detection:RegionOfInterest has {RegionOfInterest.Count} point(s); a polygon needs at least 3 (or none for the whole frame).",
                [nameof(RegionOfInterest)]);
        }
    }
}

/// <summary>A point in normalised frame coordinates: 0..1 of the width (<see cref="X"/>) and height (<see cref="Y"/>) from the top-left.</summary>
public sealed class NormalizedPoint
{
    public NormalizedPoint()
    {
    }

    public NormalizedPoint(double x, double y)
    {
        X = x;
        Y = y;
    }

    [Range(0.0, 1.0)]
    public double X { get; set; }

    [Range(0.0, 1.0)]
    public double Y { get; set; }
}

/// <summary>Source-generated check of <see cref="DetectionOptions"/>' attributes, nested ones included (for the options catalog).</summary>
[OptionsValidator]
internal sealed partial class DetectionOptionsValidator : IValidateOptions<DetectionOptions>;
