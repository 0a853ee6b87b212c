using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Imaging;
using EdgeAnpr.Agent.Tests.Inference;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Tests.Recognition;

/// <summary>A labelled plate crop of the shared data: its file and its canonical text.</summary>
internal sealed record LabelledCrop(string Path, string Text)
{
    public override string ToString() => $"{System.IO.Path.GetFileName(Path)} '{Text}'";
}

/// <summary>
/// The committed reader models and the crops they were never trained on. The models are the repository's
/// <c>models/</c> (or the folder in <c>EDGEANPR_MODELS</c>, to try a candidate before it is committed); the crops are
/// the VALIDATION rows of the training split (<c>training/splits/&lt;set&gt;-val.txt</c>, by plate text), read from
/// the shared data beside the repository.
/// </summary>
internal static class ReaderModels
{
    public const string Iranian = "plate-reader-ir";

    public const string Latin = "plate-reader-latin";

    public static string Folder => Environment.GetEnvironmentVariable("EDGEANPR_MODELS") is { Length: > 0 } folder
        ? System.IO.Path.GetFullPath(folder)
        : RepositoryFiles.Path("models");

    /// <summary>The .onnx path of a committed reader; fails the test naming what is missing.</summary>
    public static string Path(string name)
    {
        OnnxRuntimeTestEnvironment.RequireOnnxRuntime();
        var model = System.IO.Path.Combine(Folder, name + ".onnx");
        var sidecar = System.IO.Path.ChangeExtension(model, ".json");
        foreach (var file in (string[])[model, sidecar])
        {
            if (!File.Exists(file))
            {
                Assert.Fail($"{file} is missing: the readers and their contracts are made by training/train_all.sh (training/main.py card writes the .json).");
            }
        }

        return model;
    }

    /// <summary>The first <paramref name="count"/> validation crops of a set (<c>ir-plates</c>, <c>us-plates</c>, ...).</summary>
    public static IReadOnlyList<LabelledCrop> Validation(string set, PlateRegion region, int count)
    {
        var split = RepositoryFiles.Path("training", "splits", set + "-val.txt");
        var folder = System.IO.Path.Combine(RepositoryFiles.SharedData, set);
        var labels = System.IO.Path.Combine(folder, "labels.tsv");
        if (!File.Exists(split) || !File.Exists(labels))
        {
            Assert.Fail($"{(File.Exists(split) ? labels : split)} is missing: the validation split lists come from training/main.py split, the crops from ../shared/data.");
        }

        var texts = File.ReadLines(labels).Skip(1)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length >= 2 && parts[1].Length > 0)
            .ToDictionary(parts => parts[0], parts => PlateText.Parse(parts[1], region).Value);
        return File.ReadLines(split)
            .Where(line => line.Length > 0)
            .Take(count)
            .Select(file => new LabelledCrop(System.IO.Path.Combine(folder, file), texts[file]))
            .ToArray();
    }

    /// <summary>Pictures stacked one under another in one gray frame as wide as the widest, and where each lies in it.</summary>
    public static (byte[] Pixels, int Stride, PixelRect[] Crops) Stack(IReadOnlyList<StillImage> images)
    {
        var stride = images.Max(i => i.Width) + 7;
        var pixels = new byte[stride * images.Sum(i => i.Height + 3)];
        Array.Fill(pixels, (byte)128);
        var crops = new PixelRect[images.Count];
        var top = 0;
        for (var n = 0; n < images.Count; n++)
        {
            var image = images[n];
            var left = n % 5;
            for (var y = 0; y < image.Height; y++)
            {
                image.Pixels.AsSpan(y * image.Width, image.Width).CopyTo(pixels.AsSpan(((top + y) * stride) + left));
            }

            crops[n] = new PixelRect(left, top, image.Width, image.Height);
            top += image.Height + 3;
        }

        return (pixels, stride, crops);
    }
}
