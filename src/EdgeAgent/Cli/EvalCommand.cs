using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Evaluation;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr eval DIR</c>: measures the shipped models (or those the configuration names) on a labelled folder in the
/// shared format, as the pipeline uses them. Bad rows and unreadable images go to stderr, one line each, and are
/// skipped; the figures go to stdout.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var folder = new Argument<string>("dir") { Description = "A folder with img/ and labels.tsv (plate crops) or boxes.tsv (scene photos)" };
        var region = new Option<string>("--region", "-r")
        {
            Description = "Plate region to read: ir, kz, ru, latin, or auto (every region, the best read wins)",
            DefaultValueFactory = _ => RecognitionOptions.AllRegions,
            HelpName = "R",
        };
        var only = new Option<string?>("--only")
        {
            Description = "A list of file names (one a line) to keep, e.g. a held-out split in training/splits",
            HelpName = "FILE",
        };
        var config = CommonOptions.Config();
        config.Description = "Configuration file for model paths and thresholds (Detection, Recognition, Inference)";
        var json = CommonOptions.Json();
        var sweep = new Option<bool>("--sweep")
        {
            Description = "Also print, for minimum confidences from 0 to 0.99, the share of plates a read is taken for and the share of taken reads that are wrong",
        };
        var audit = new Option<string?>("--audit")
        {
            Description = "An audit of the labels (file, label, shows), e.g. training/splits/ir-plates-val-audit.tsv: measure against what the crops show",
            HelpName = "FILE",
        };
        var command = new Command("eval", "Measure detection and reading on a labelled folder") { folder, region, only, audit, config, json, sweep };
        command.SetAction((parse, cancellationToken) => EvalAsync(
            console, parse.GetValue(folder)!, parse.GetValue(region)!, parse.GetValue(only), parse.GetValue(audit), parse.GetValue(config), parse.GetValue(json), parse.GetValue(sweep), cancellationToken));
        return command;
    }

    /// <summary>The minimum confidences <c>--sweep</c> tries.</summary>
    private static readonly double[] SweepThresholds = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99];

    private static async Task<int> EvalAsync(CliConsole console, string folder, string region, string? onlyPath, string? auditPath, string? configPath, bool json, bool sweep, CancellationToken cancellationToken)
    {
        if (!PlateRegions.TryParse(region, out _) && !string.Equals(region, RecognitionOptions.AllRegions, StringComparison.OrdinalIgnoreCase))
        {
            return console.Fail(ExitCodes.BadInput, $"--region '{region}': use ir, kz, ru, latin or auto");
        }

        if (ModelSettings.Load(console, configPath, region) is not { } options)
        {
            return ExitCodes.BadInput;
        }

        EvalSet set;
        try
        {
            var only = onlyPath is null ? null : EvalSet.LoadList(onlyPath);
            set = EvalSet.Load(folder, only);
            if (auditPath is not null)
            {
                set = set.WithAudit(auditPath);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return console.Fail(ExitCodes.BadInput, ex.Message);
        }

        foreach (var problem in set.Problems)
        {
            console.Fail(0, $"{Path.Combine(folder, problem)}; row skipped");
        }

        if (set.Images.Count == 0)
        {
            return console.Fail(ExitCodes.BadInput, $"{Path.Combine(folder, set.LabelFile)}: no usable rows{(onlyPath is null ? "" : $" listed in {onlyPath}")}");
        }

        PlateReaders? readers = null;
        PlateDetector? detector = null;
        try
        {
            readers = PlateReaders.Open(options.Recognition, options.Inference);
            if (set.Kind == EvalKind.Scenes)
            {
                detector = PlateDetector.FromFile(options.Detection.ResolvedModelPath, options.Inference, options.Detection.ScoreThreshold);
            }

            var evaluator = new PlateEvaluator(readers, detector, options.Detection.MinPlateWidth)
            {
                Problem = line => console.Fail(0, Path.Combine(folder, line)),
            };
            var report = await evaluator.RunAsync(set, cancellationToken);
            if (json)
            {
                console.Out.WriteLine(JsonSerializer.Serialize(report, EvalJson.Default.EvalReport));
            }
            else
            {
                foreach (var miss in evaluator.Misses)
                {
                    console.Out.WriteLine(Miss(miss));
                }

                console.Out.WriteLine(Text(folder, set, region, report, readers.MinConfidenceFor(readers.Regions[0])));
            }

            if (sweep && !json)
            {
                console.Out.WriteLine(Sweep(evaluator.Reads));
            }

            return ExitCodes.Ok;
        }
        catch (InferenceException ex)
        {
            return console.Fail(ExitCodes.Failure, ex.Message);
        }
        finally
        {
            detector?.Dispose();
            readers?.Dispose();
        }
    }

    /// <summary><c>misread: img/1.jpg  AB123 -> A8123 (0.93)</c>, or <c>(0.41, not taken)</c> for a read below the minimum confidence or outside the formats.</summary>
    private static string Miss(EvalMiss miss) =>
        !miss.Detected ? $"not found: {miss.File}  {miss.Label}"
        : miss.Read.Length == 0 ? $"misread: {miss.File}  {miss.Label} -> (nothing)"
        : string.Create(CultureInfo.InvariantCulture, $"misread: {miss.File}  {miss.Label} -> {miss.Read} ({miss.Confidence:0.00}{(miss.Taken ? "" : ", not taken")})");

    /// <summary>
    /// The confidence sweep: for each minimum confidence, the plates a read would be taken for and how many of those
    /// reads are wrong. A watchlist alarm sends officers out, so the default minimum is set where a wrong taken read
    /// is rare (at most 1 in 200) on the held-out crops.
    /// </summary>
    internal static string Sweep(IReadOnlyList<EvalReadPoint> reads)
    {
        var lines = new List<string> { "  min confidence | taken | wrong among taken" };
        foreach (var t in SweepThresholds)
        {
            var taken = reads.Count(r => r.Confidence > 0 && r.Confidence >= (float)t);
            var wrong = reads.Count(r => r.Confidence > 0 && r.Confidence >= (float)t && !r.Right);
            lines.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"  {t,14:0.00} | {taken,4} = {(reads.Count == 0 ? 0 : (double)taken / reads.Count),7:P1} | {wrong,4} = {(taken == 0 ? 0 : (double)wrong / taken),6:P2}"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Text(string folder, EvalSet set, string region, EvalReport r, double minConfidence)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{r.Kind} {folder} ({set.LabelFile}), region {region}: {r.Images} images, {r.Labelled} labelled {(r.Kind == "crops" ? "crops" : "plates")}"),
        };
        if (r.Detected is { } detected)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  detected {detected} / {r.Labelled} = {r.DetectionRecall:P2} at IoU >= {PlateEvaluator.MatchIoU}"));
        }

        lines.Add(r.Exact is { } exact
            ? string.Create(CultureInfo.InvariantCulture, $"  exact {exact} = {r.ExactRate:P2} of the plates with text, character accuracy {r.CharAccuracy:P2}")
            : "  no plate has text: reading not measured");
        if (r.Taken is { } taken && r.TakenWrong is { } wrong && r.Exact is not null)
        {
            lines.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"  taken at minimum confidence {minConfidence:0.00}: {taken}{(r.Kind == "crops" ? $" = {(double)taken / Math.Max(1, r.Labelled):P2} of the crops" : " plates")}, of which wrong {wrong}{(wrong == 0 ? "" : $" (1 in {(double)taken / wrong:0})")}"));
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {r.MedianMs:0.###} ms median, {r.P95Ms:0.###} ms p95 per {(r.Kind == "crops" ? "crop" : "image")} (one thread, decoding not counted)"));
        return string.Join(Environment.NewLine, lines);
    }

}

/// <summary>The one object of <c>eval --json</c>, with the issue's snake_case keys; nulls are written.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EvalReport))]
internal sealed partial class EvalJson : JsonSerializerContext;
