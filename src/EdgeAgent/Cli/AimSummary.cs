using EdgeAnpr.Agent.Status;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// The plate height in frame pixels a camera should be zoomed for. Both bounds come from the readers' training
/// (<c>models/plate-reader-*.md</c>): the Iranian reader saw crops 16-110 px tall, the Latin one 24-140 px; the range
/// is where both are at home.
/// </summary>
internal static class RecommendedPlateHeight
{
    /// <summary>
    /// 24 px: the smallest crop the Latin reader was trained on. The detector keeps plates from
    /// <c>Detection:MinPlateWidth</c> (40 px wide, about 9 px high for a 520x110 mm plate), far below where reads
    /// stay reliable: a plate that passes that filter may still be too small to read.
    /// </summary>
    public const int Min = 24;

    /// <summary>
    /// 110 px: the tallest crop the Iranian reader was trained on. Larger plates are read (shrunk to the readers' 32 px
    /// input), but the zoom then narrows the view until a vehicle crosses it in a few frames and part of the lane is lost.
    /// </summary>
    public const int Max = 110;
}

/// <summary><c>aim --json</c>: what was seen over the run.</summary>
/// <param name="PlateHeightVerdict"><c>ok</c>, <c>too small</c>, <c>too large</c> (by the median), or <c>no plates</c>.</param>
/// <param name="FocusMedian">Median focus measure over the seconds (variance of the Laplacian): compare while turning the focus ring.</param>
/// <param name="Advice">What to change, one line each.</param>
internal sealed record AimSummary(
    int Seconds,
    int Plates,
    double? PlateHeightMedian,
    double? PlateHeightMin,
    double? PlateHeightMax,
    int RecommendedPlateHeightMin,
    int RecommendedPlateHeightMax,
    string PlateHeightVerdict,
    double? FocusMedian,
    double? BrightnessMedian,
    double? FramesPerSecondMedian,
    int? Width,
    int? Height,
    IReadOnlyList<string> Advice);

/// <summary>Collects <c>aim</c>'s one-second samples into the <see cref="AimSummary"/>.</summary>
internal sealed class AimTally
{
    /// <summary>Mean gray below this: too dark to read at night without more IR light or a longer exposure.</summary>
    public const double MinBrightness = 40;

    /// <summary>Mean gray above this: washed out; plates (retro-reflective) saturate first.</summary>
    public const double MaxBrightness = 210;

    private readonly List<double> _focus = [];
    private readonly List<double> _brightness = [];
    private readonly List<double> _framesPerSecond = [];
    private int _seconds;
    private int? _width;
    private int? _height;

    public List<double> Heights { get; } = [];

    /// <summary>Samples (seconds) added so far.</summary>
    public int Seconds => _seconds;

    public void Add(AimSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _seconds++;
        Heights.AddRange(sample.PlateHeights);
        Add(_focus, sample.Focus);
        Add(_brightness, sample.Brightness);
        Add(_framesPerSecond, sample.FramesPerSecond);
        (_width, _height) = (sample.Width ?? _width, sample.Height ?? _height);
    }

    public AimSummary Summarise()
    {
        double? median = Heights.Count > 0 ? AimCommand.Median(Heights) : null;
        var verdict = median switch
        {
            null => "no plates",
            < RecommendedPlateHeight.Min => "too small",
            > RecommendedPlateHeight.Max => "too large",
            _ => "ok",
        };
        var advice = new List<string>();
        switch (verdict)
        {
            case "no plates":
                advice.Add("no plate was found: aim at passing traffic (or hold a plate in the lane) and run aim again");
                break;
            case "too small":
                advice.Add($"plates are too small: zoom in (or move the camera closer) until they are at least {RecommendedPlateHeight.Min} px high");
                break;
            case "too large":
                advice.Add($"plates are larger than needed: zoom out to about {RecommendedPlateHeight.Max} px to cover the whole lane");
                break;
        }

        var brightness = Median(_brightness);
        if (brightness < MinBrightness)
        {
            advice.Add("the picture is dark: add IR light or lengthen the exposure (keep the shutter at 1/1000 s or faster for moving traffic)");
        }
        else if (brightness > MaxBrightness)
        {
            advice.Add("the picture is washed out: lower the exposure or gain");
        }

        return new AimSummary(
            _seconds,
            Heights.Count,
            Round(median),
            Round(Heights.Count > 0 ? Heights.Min() : null),
            Round(Heights.Count > 0 ? Heights.Max() : null),
            RecommendedPlateHeight.Min,
            RecommendedPlateHeight.Max,
            verdict,
            Round(Median(_focus)),
            Round(brightness),
            Median(_framesPerSecond) is { } fps ? Math.Round(fps, 2) : null,
            _width,
            _height,
            advice);
    }

    private static void Add(List<double> list, double? value)
    {
        if (value is { } v)
        {
            list.Add(v);
        }
    }

    private static double? Median(List<double> values) => values.Count > 0 ? AimCommand.Median(values) : null;

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}
