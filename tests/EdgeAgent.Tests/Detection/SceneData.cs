using System.Globalization;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Imaging;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>A labelled photo from ir-scenes, as 8-bit gray (BT.601 luma, <see cref="StillImage.LoadGray"/>).</summary>
internal sealed record SceneImage(string Name, byte[] Gray, int Width, int Height, PixelRect Plate);

/// <summary>
/// The committed detector model and the labelled photos of <c>../shared/data</c> (beside the repository, never in it;
/// see its README). Only images of the detector's validation split (<c>training/detector/splits/ir-val.txt</c>) are
/// used, never training ones, so the test measures the model rather than its memory.
/// </summary>
internal static class SceneData
{
    public static string RepositoryRoot => RepositoryFiles.Root;

    public static string DataFolder => RepositoryFiles.SharedData;

    /// <summary>The model as the build copies it beside the program (what the service loads by default).</summary>
    public static string DetectorModelPath => Path.Combine(AppContext.BaseDirectory, "models", "plate-detector.onnx");

    /// <summary>
    /// The first <paramref name="count"/> validation images with exactly one labelled plate (boxes under 4 px are label
    /// noise, as training/detector/common.py drops them), in the split list's order.
    /// </summary>
    public static IReadOnlyList<SceneImage> ValidationImages(int count)
    {
        var folder = Path.Combine(DataFolder, "ir-scenes");
        if (!File.Exists(Path.Combine(folder, "boxes.tsv")))
        {
            Assert.Fail($"The labelled photos are not in {folder}: they live in ../shared/data beside the repository (see its README).");
        }

        var training = SplitList("ir-train.txt").ToHashSet(StringComparer.Ordinal);
        var boxes = File.ReadLines(Path.Combine(folder, "boxes.tsv")).Skip(1)
            .Select(line => line.Split('\t'))
            .Select(f => (Name: Path.GetFileName(f[0]), Box: new PixelRect(Int(f[1]), Int(f[2]), Int(f[3]), Int(f[4]))))
            .Where(b => b.Box.Width >= 4 && b.Box.Height >= 4)
            .ToLookup(b => b.Name, b => b.Box, StringComparer.Ordinal);

        var images = new List<SceneImage>();
        foreach (var name in SplitList("ir-val.txt").Where(n => boxes[n].Count() == 1).Take(count))
        {
            Assert.DoesNotContain(name, training);
            var image = StillImage.LoadGray(Path.Combine(folder, "img", name));
            images.Add(new SceneImage(name, image.Pixels, image.Width, image.Height, boxes[name].Single()));
        }

        return images;
    }

    private static IEnumerable<string> SplitList(string name) =>
        File.ReadLines(Path.Combine(RepositoryRoot, "training", "detector", "splits", name)).Select(l => l.Trim()).Where(l => l.Length > 0);

    private static int Int(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
