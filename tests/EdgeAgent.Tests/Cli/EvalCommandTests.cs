using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Imaging;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary><c>edge-anpr eval</c> with the committed models on the shared data beside the repository.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private static readonly string[] ReportKeys =
        ["kind", "images", "labelled", "detected", "detection_recall", "exact", "exact_rate", "char_accuracy", "median_ms", "p95_ms", "taken", "taken_wrong"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edgeanpr-tests", "eval-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Crops_are_read_whole_and_bad_rows_and_unreadable_images_are_reported_and_skipped()
    {
        // Six held-out US crops (never trained on), a row without a file name and a file that is not an image.
        var held = File.ReadLines(RepositoryFiles.Path("training", "splits", "us-plates-val.txt")).Take(6).ToHashSet();
        var labels = File.ReadLines(Path.Combine(RepositoryFiles.SharedData, "us-plates", "labels.tsv")).Skip(1)
            .Select(l => l.Split('\t')).Where(c => held.Contains(c[0])).ToList();
        Directory.CreateDirectory(Path.Combine(_folder, "img"));
        foreach (var row in labels)
        {
            File.Copy(Path.Combine(RepositoryFiles.SharedData, "us-plates", row[0]), Path.Combine(_folder, row[0]));
        }

        File.WriteAllText(Path.Combine(_folder, "img", "broken.jpg"), "not a jpeg");
        File.WriteAllLines(Path.Combine(_folder, "labels.tsv"), ["file\ttext", .. labels.Select(c => $"{c[0]}\t{c[1]}"), "\tABC123", "img/broken.jpg\tXYZ789"]);

        var result = await CliRunner.RunAsync("eval", _folder, "--region", "latin", "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(2, result.ErrorLines.Length);
        Assert.Contains("labels.tsv line 8: no file name", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("img/broken.jpg: skipped", result.ErrorLines[1], StringComparison.Ordinal);
        using var report = JsonDocument.Parse(Assert.Single(result.OutputLines));
        var r = report.RootElement;
        Assert.Equal(ReportKeys, r.EnumerateObject().Select(p => p.Name));
        Assert.Equal("crops", r.GetProperty("kind").GetString());
        Assert.Equal(6, r.GetProperty("images").GetInt32());
        Assert.Equal(6, r.GetProperty("labelled").GetInt32());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("detected").ValueKind);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("detection_recall").ValueKind);
        Assert.InRange(r.GetProperty("exact").GetInt32(), 4, 6);
        Assert.Equal(r.GetProperty("exact").GetInt32() / 6.0, r.GetProperty("exact_rate").GetDouble(), 3);
        Assert.InRange(r.GetProperty("char_accuracy").GetDouble(), 0.9, 1.0);
        Assert.True(r.GetProperty("median_ms").GetDouble() > 0);
        Assert.True(r.GetProperty("p95_ms").GetDouble() >= r.GetProperty("median_ms").GetDouble());
    }

    /// <summary>
    /// The end-to-end regression floor on br-scenes (never trained on): photo in, plate text out. The bars are
    /// detection 95% (met: 114 of 114 when this floor was set) and exact 90%: met with Brazil's formats configured
    /// (<c>Recognition:LatinFormats</c>, 104 of 114 = 91.2% with ffmpeg decoding the photos, 99 = 86.8% with SkiaSharp),
    /// NOT met with generic Latin formats (79 of 114 = 69.3%, 76 with SkiaSharp; most errors are O/0 and I/1, which no
    /// generic reader can settle). The decoder's rounding alone moves these by 3 to 5 plates (ffmpeg's own other inverse
    /// DCT reads 83 and 101), so the floors sit below that scatter and catch a step backwards.
    /// </summary>
    [Theory]
    [InlineData(false, 0.70)]
    [InlineData(true, 0.85)]
    public async Task Br_scenes_stay_at_or_above_their_floor(bool brazilFormats, double exactFloor)
    {
        string[] config = [];
        if (brazilFormats)
        {
            Directory.CreateDirectory(_folder);
            var file = Path.Combine(_folder, "br.json");
            File.WriteAllText(file, """{ "Recognition": { "LatinFormats": [ "LLLDDDD", "LLLDLDD" ] } }""");
            config = ["--config", file];
        }

        var result = await CliRunner.RunAsync(["eval", Path.Combine(RepositoryFiles.SharedData, "br-scenes"), "--region", "latin", "--json", .. config]);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        using var report = JsonDocument.Parse(Assert.Single(result.OutputLines));
        var r = report.RootElement;
        Assert.Equal("scenes", r.GetProperty("kind").GetString());
        Assert.Equal(114, r.GetProperty("labelled").GetInt32());
        Assert.True(r.GetProperty("detection_recall").GetDouble() >= 0.95, result.Output);
        Assert.True(r.GetProperty("exact_rate").GetDouble() >= exactFloor, result.Output);
    }

    /// <summary>
    /// Regression floors on the readers' whole held-out crop splits (never trained on), labels as given. When set:
    /// Iranian 212 of 229 = 92.6% (bar 98%, not met; 7 labels are wrong, see training/splits/ir-plates-val-audit.tsv),
    /// US 142 of 162 = 87.7% (bar 92%, not met). The floors sit a few crops below and catch a step backwards.
    /// </summary>
    [Theory]
    [InlineData("ir-plates", "ir", 0.89)]
    [InlineData("us-plates", "latin", 0.87)]
    public async Task Held_out_crops_stay_at_or_above_their_floor(string set, string region, double exactFloor)
    {
        var split = RepositoryFiles.Path("training", "splits", set + "-val.txt");

        var result = await CliRunner.RunAsync("eval", Path.Combine(RepositoryFiles.SharedData, set), "--region", region, "--only", split, "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        using var report = JsonDocument.Parse(Assert.Single(result.OutputLines));
        var r = report.RootElement;
        Assert.Equal("crops", r.GetProperty("kind").GetString());
        Assert.Equal(File.ReadLines(split).Count(l => l.Trim().Length > 0), r.GetProperty("labelled").GetInt32());
        Assert.True(r.GetProperty("exact_rate").GetDouble() >= exactFloor, result.Output);
    }

    /// <summary>
    /// A watchlist alarm sends officers out, so each reader's default minimum confidence is set where at most 1 in 200
    /// reads it takes is wrong on its held-out crops, measured against what the crops show (the audited labels). When
    /// the defaults were set: Iranian 0 wrong of 216 taken (94.3% of 229 crops) at 0.80.
    /// </summary>
    [Theory]
    [InlineData("ir-plates", "ir", 0.92)]
    public async Task At_the_default_minimum_confidence_at_most_one_taken_read_in_200_is_wrong(string set, string region, double takenFloor)
    {
        var split = RepositoryFiles.Path("training", "splits", set + "-val.txt");
        var audit = RepositoryFiles.Path("training", "splits", set + "-val-audit.tsv");

        var result = await CliRunner.RunAsync("eval", Path.Combine(RepositoryFiles.SharedData, set), "--region", region, "--only", split, "--audit", audit, "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        using var report = JsonDocument.Parse(Assert.Single(result.OutputLines));
        var r = report.RootElement;
        var taken = r.GetProperty("taken").GetInt32();
        var wrong = r.GetProperty("taken_wrong").GetInt32();
        Assert.True(wrong * 200 <= taken, $"{wrong} wrong of {taken} taken: {result.Output}");
        Assert.True(taken >= takenFloor * r.GetProperty("labelled").GetInt32(), result.Output);
    }

    [Fact]
    public async Task An_audit_relabels_its_crops_and_one_for_other_labels_is_refused()
    {
        var held = File.ReadLines(RepositoryFiles.Path("training", "splits", "us-plates-val.txt")).Take(3).ToList();
        var labels = File.ReadLines(Path.Combine(RepositoryFiles.SharedData, "us-plates", "labels.tsv")).Skip(1)
            .Select(l => l.Split('\t')).Where(c => held.Contains(c[0])).ToList();
        Directory.CreateDirectory(Path.Combine(_folder, "img"));
        foreach (var row in labels)
        {
            File.Copy(Path.Combine(RepositoryFiles.SharedData, "us-plates", row[0]), Path.Combine(_folder, row[0]));
        }

        // Label the first crop wrongly, then audit it back to its true text: the audited run reads all three as before.
        var (file, text) = (labels[0][0], labels[0][1]);
        File.WriteAllLines(Path.Combine(_folder, "labels.tsv"), ["file\ttext", $"{file}\tWRONG1", .. labels.Skip(1).Select(c => $"{c[0]}\t{c[1]}")]);
        var audit = Path.Combine(_folder, "audit.tsv");
        File.WriteAllLines(audit, ["file\tlabel\tshows\twhy", $"{file}\tWRONG1\t{text}\ttest"]);

        var plain = await CliRunner.RunAsync("eval", _folder, "--region", "latin", "--json");
        var audited = await CliRunner.RunAsync("eval", _folder, "--region", "latin", "--audit", audit, "--json", "--sweep");

        using var before = JsonDocument.Parse(Assert.Single(plain.OutputLines));
        using var after = JsonDocument.Parse(Assert.Single(audited.OutputLines));
        Assert.Equal(before.RootElement.GetProperty("exact").GetInt32() + 1, after.RootElement.GetProperty("exact").GetInt32());

        File.WriteAllLines(audit, ["file\tlabel\tshows\twhy", $"{file}\tOTHER1\t{text}\ttest"]);
        var refused = await CliRunner.RunAsync("eval", _folder, "--region", "latin", "--audit", audit);
        Assert.Equal(ExitCodes.BadInput, refused.ExitCode);
        Assert.Contains("not 'OTHER1' as the audit says", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sweep_counts_taken_and_wrong_reads_at_each_minimum()
    {
        var split = RepositoryFiles.Path("training", "splits", "kz-plates-val.txt");

        var result = await CliRunner.RunAsync("eval", Path.Combine(RepositoryFiles.SharedData, "kz-plates"), "--region", "kz", "--only", split, "--sweep");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var rows = result.OutputLines.SkipWhile(l => !l.Contains("min confidence", StringComparison.Ordinal)).Skip(1)
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Select(c => (Taken: int.Parse(c[1].Split(' ')[0], CultureInfo.InvariantCulture), Wrong: int.Parse(c[2].Split(' ')[0], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(15, rows.Count);
        Assert.InRange(rows[0].Taken, 1, 8);
        for (var i = 1; i < rows.Count; i++)
        {
            // A higher minimum never takes more reads, nor more wrong ones.
            Assert.True(rows[i].Taken <= rows[i - 1].Taken && rows[i].Wrong <= rows[i - 1].Wrong, result.Output);
        }
    }

    [Fact]
    public async Task A_missing_folder_or_one_without_labels_is_one_line_and_exit_2()
    {
        var missing = await CliRunner.RunAsync("eval", Path.Combine(_folder, "nope"));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Contains("is not a folder", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);

        Directory.CreateDirectory(_folder);
        var empty = await CliRunner.RunAsync("eval", _folder, "--json");
        Assert.Equal(ExitCodes.BadInput, empty.ExitCode);
        Assert.Contains("neither labels.tsv", Assert.Single(empty.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(empty.Output);
    }
}
