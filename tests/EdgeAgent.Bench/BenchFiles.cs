using EdgeAnpr.Agent.Tests.Imaging;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Bench;

/// <summary>A labelled plate crop of the shared data: its file and its canonical text.</summary>
internal sealed record LabelledCrop(string Path, string Text);

/// <summary>
/// What the benches read from outside their own output: the repository root (found by <see cref="RepositoryFiles"/>,
/// linked from the tests), its <c>artifacts/</c> (fetched by the build, never committed), and the shared plate data beside
/// it (<c>../shared/data</c>, never copied into the repository; see its README).
/// </summary>
internal static class BenchFiles
{
    public static string Root => RepositoryFiles.Root;

    public static string SharedData => RepositoryFiles.SharedData;

    /// <summary>A file the build fetched into <c>artifacts/</c>.</summary>
    public static string Artifact(params string[] parts) => Path.Combine([Root, "artifacts", .. parts]);

    /// <summary>
    /// The held-out validation crops of a set (<c>training/splits/&lt;set&gt;-val.txt</c>, split by plate text, never
    /// trained on), labels from its <c>labels.tsv</c> made canonical; null, with the reason, when the list or the data is missing.
    /// </summary>
    public static IReadOnlyList<LabelledCrop>? Validation(string set, PlateRegion region, out string problem)
    {
        var split = Path.Combine(Root, "training", "splits", set + "-val.txt");
        var folder = Path.Combine(SharedData, set);
        var labels = Path.Combine(folder, "labels.tsv");
        if (!File.Exists(split) || !File.Exists(labels))
        {
            problem = $"{(File.Exists(split) ? labels : split)} is missing";
            return null;
        }

        var texts = File.ReadLines(labels).Skip(1)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length >= 2 && parts[1].Length > 0)
            .ToDictionary(parts => parts[0], parts => PlateText.Parse(parts[1], region).Value);
        problem = "";
        return File.ReadLines(split)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0)
            .Select(file => new LabelledCrop(Path.Combine(folder, file), texts[file]))
            .ToArray();
    }
}
