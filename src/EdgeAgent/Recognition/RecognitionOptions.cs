using System.ComponentModel.DataAnnotations;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>Which plates the box reads and with which models (section <c>Recognition</c>).</summary>
public sealed class RecognitionOptions : IValidatableObject
{
    public const string SectionName = "Recognition";

    /// <summary>The <see cref="Regions"/> code that stands for every region: <c>ir</c>, <c>kz</c>, <c>ru</c>, <c>latin</c>.</summary>
    public const string AllRegions = "auto";

    /// <summary>Default <see cref="IranModelPath"/>: the Iranian reader shipped beside the program.</summary>
    public const string DefaultIranModelPath = "models/plate-reader-ir.onnx";

    /// <summary>Default <see cref="LatinModelPath"/>: the Latin-script reader shipped beside the program.</summary>
    public const string DefaultLatinModelPath = "models/plate-reader-latin.onnx";

    /// <summary>
    /// Default <see cref="IranMinConfidence"/>: the lowest minimum at which at most 1 in 200 taken reads of the Iranian
    /// reader is wrong on its held-out crops (audited labels): 0 wrong of 216 taken, 94.3% of the crops, at 0.80; 2 wrong
    /// of 220 at 0.75 (<c>edge-anpr eval ../shared/data/ir-plates --region ir --only training/splits/ir-plates-val.txt
    /// --audit training/splits/ir-plates-val-audit.tsv --sweep</c>). A watchlist alarm sends officers out, so a read
    /// taken must be right.
    /// </summary>
    public const double DefaultIranMinConfidence = 0.80;

    /// <summary>Default <see cref="LatinMinConfidence"/>, chosen as <see cref="DefaultIranMinConfidence"/> on the Latin reader's held-out crops.</summary>
    public const double DefaultLatinMinConfidence = 0.5;

    /// <summary>
    /// Default <see cref="GrammarMargin"/>: 4.6 nats, i.e. the best reading in the grammar may be up to 100 times less
    /// probable than the model's plain reading (e(4.6) = 100) and still be taken as the plate.
    /// </summary>
    public const double DefaultGrammarMargin = 4.6;

    /// <summary>
    /// The plate regions the box reads, as codes: <c>ir</c> (Iranian reader), <c>kz</c>, <c>ru</c>, <c>latin</c> (the
    /// Latin reader, each with its own formats), or <c>auto</c> for all of them. Default (empty) <c>ir</c>. With several,
    /// each model needed runs once per crop and the most confident read matching its region's formats wins; a tie goes
    /// to the region listed first.
    /// </summary>
    /// <remarks>A list without a default entry, because the configuration binder adds to a list rather than replacing it.</remarks>
    public IList<string> Regions { get; } = new List<string>();

    /// <summary>
    /// The Iranian reader; default <see cref="DefaultIranModelPath"/>. A relative path is taken from the program's folder
    /// (<see cref="AppContext.BaseDirectory"/>). Its contract, the file of the same name with the extension <c>.json</c>,
    /// must sit beside it. Loaded only when <c>ir</c> is read.
    /// </summary>
    [Required]
    public string IranModelPath { get; set; } = DefaultIranModelPath;

    /// <summary>The Latin-script reader for <c>kz</c>, <c>ru</c> and <c>latin</c>; default <see cref="DefaultLatinModelPath"/>; as <see cref="IranModelPath"/>.</summary>
    [Required]
    public string LatinModelPath { get; set; } = DefaultLatinModelPath;

    /// <summary>
    /// Lowest <see cref="PlateRead.Confidence"/> (the least sure character's probability) of an Iranian read that counts
    /// as a plate; default <see cref="DefaultIranMinConfidence"/>. Reads outside the region's formats never count.
    /// </summary>
    [Range(0.0, 1.0)]
    public double IranMinConfidence { get; set; } = DefaultIranMinConfidence;

    /// <summary>As <see cref="IranMinConfidence"/>, for the Latin reader's regions (<c>kz</c>, <c>ru</c>, <c>latin</c>); default <see cref="DefaultLatinMinConfidence"/>.</summary>
    [Range(0.0, 1.0)]
    public double LatinMinConfidence { get; set; } = DefaultLatinMinConfidence;

    /// <summary>
    /// One minimum for every reader, instead of <see cref="IranMinConfidence"/> and <see cref="LatinMinConfidence"/>;
    /// unset by default. Each reader's own default is where its wrong reads become rare, so set this only to trade
    /// more plates read for more false alarms (or the reverse) on purpose.
    /// </summary>
    [Range(0.0, 1.0)]
    public double? MinConfidence { get; set; }

    /// <summary>The minimum confidence of a read decoded with <paramref name="region"/>'s formats.</summary>
    public double MinConfidenceFor(PlateRegion region) =>
        MinConfidence ?? (region == PlateRegion.Ir ? IranMinConfidence : LatinMinConfidence);

    /// <summary>
    /// How much less probable (natural log of the ratio) the best reading matching the region's formats may be than the
    /// model's plain reading before the read is reported as outside the formats instead; default
    /// <see cref="DefaultGrammarMargin"/>. 0 takes only plain readings that already match.
    /// </summary>
    [Range(0.0, 50.0)]
    public double GrammarMargin { get; set; } = DefaultGrammarMargin;

    /// <summary>
    /// The formats of this site's <c>latin</c> plates, as patterns of <c>D</c> (digit), <c>L</c> (letter) and <c>A</c>
    /// (either): Brazil's <c>["LLLDDDD", "LLLDLDD"]</c>, say. Empty (the default): any 1 to 10 letters and digits. With
    /// formats, a letter is never read where the format has a digit, so 0/O and 1/I are settled by position.
    /// </summary>
    public IList<string> LatinFormats { get; } = new List<string>();

    /// <summary>Default <see cref="CropMarginX"/>: the middle of the side margins the readers are trained with (-3% to +8%).</summary>
    public const double DefaultCropMarginX = 0.03;

    /// <summary>Default <see cref="CropMarginY"/>: the middle of the top and bottom margins the readers are trained with (-6% to +20%).</summary>
    public const double DefaultCropMarginY = 0.07;

    /// <summary>
    /// Added to the left and to the right of a detected plate's box before it is read, as a fraction of the box's
    /// width; default <see cref="DefaultCropMarginX"/>. The readers are trained on crops a little looser than the plate,
    /// and a character at a box's very edge is easily lost.
    /// </summary>
    [Range(0.0, 0.5)]
    public double CropMarginX { get; set; } = DefaultCropMarginX;

    /// <summary>Added above and below a detected plate's box before it is read, as a fraction of its height; default <see cref="DefaultCropMarginY"/>.</summary>
    [Range(0.0, 1.0)]
    public double CropMarginY { get; set; } = DefaultCropMarginY;

    /// <summary>The program's folder joined with <see cref="IranModelPath"/> when that is relative.</summary>
    public string ResolvedIranModelPath => Path.GetFullPath(IranModelPath, AppContext.BaseDirectory);

    /// <summary>The program's folder joined with <see cref="LatinModelPath"/> when that is relative.</summary>
    public string ResolvedLatinModelPath => Path.GetFullPath(LatinModelPath, AppContext.BaseDirectory);

    /// <summary>
    /// <see cref="Regions"/> parsed, in order, without repeats, <c>auto</c> expanded; <c>ir</c> when empty. Throws
    /// <see cref="FormatException"/> for an unknown code (validation reports it first).
    /// </summary>
    public IReadOnlyList<PlateRegion> ResolvedRegions()
    {
        if (Regions.Count == 0)
        {
            return [PlateRegion.Ir];
        }

        var regions = new List<PlateRegion>();
        foreach (var code in Regions)
        {
            PlateRegion[] parsed = IsAll(code) ? Enum.GetValues<PlateRegion>() : [PlateRegions.Parse(code)];
            regions.AddRange(parsed.Where(r => !regions.Contains(r)));
        }

        return regions;
    }

    /// <summary>The formats <paramref name="region"/> is read with: the region's own, or for <c>latin</c> <see cref="LatinFormats"/> when set.</summary>
    public PlateGrammar GrammarFor(PlateRegion region) =>
        region == PlateRegion.Latin && LatinFormats.Count > 0 ? PlateGrammar.LatinOf(LatinFormats) : PlateGrammar.For(region);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < LatinFormats.Count; i++)
        {
            if (!PlateGrammar.IsLatinPattern(LatinFormats[i]))
            {
                yield return new ValidationResult(
                    $"Recognition:LatinFormats:{i} is '{LatinFormats[i]}'; use 1 to 10 of D (digit), L (letter), A (either), e.g. LLLDDDD.", [nameof(LatinFormats)]);
            }
        }

        for (var i = 0; i < Regions.Count; i++)
        {
            var code = Regions[i];
            if (!PlateRegions.TryParse(code, out _) && !IsAll(code))
            {
                yield return new ValidationResult(
                    $"Recognition:Regions:{i} is '{code}'; use ir, kz, ru, latin or auto.", [nameof(Regions)]);
            }
        }
    }

    private static bool IsAll(string? code) => string.Equals(code?.Trim(), AllRegions, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Source-generated check of <see cref="RecognitionOptions"/>' attributes and rules (for the options catalog).</summary>
[OptionsValidator]
internal sealed partial class RecognitionOptionsValidator : IValidateOptions<RecognitionOptions>;
