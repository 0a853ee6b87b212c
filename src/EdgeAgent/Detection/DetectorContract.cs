using System.Text.Json;
using EdgeAnpr.Agent.Inference;

namespace EdgeAnpr.Agent.Detection;

/// <summary>
/// What the detector model expects and produces, read from the sidecar written with it
/// (<c>models/plate-detector.json</c>, made by <c>training/detector/export.py</c>). Every number the C# side needs
/// comes from here, so a retrained model with another input size, stride or threshold needs no code change; the parts
/// that are rules rather than numbers (normalisation, letterbox placement, box encoding) are checked, so a model
/// trained to other rules is refused at start instead of decoded wrongly.
/// </summary>
internal sealed record DetectorContract(
    string InputName,
    int InputWidth,
    int InputHeight,
    string HeatmapName,
    string BoxName,
    int GridWidth,
    int GridHeight,
    int Stride,
    float ScoreThreshold,
    double NmsIou,
    int MaxDetections)
{
    /// <summary>The output names fixed by the contract; the sidecar gives their shapes.</summary>
    public const string HeatmapOutput = "heatmap";

    public const string BoxOutput = "box";

    /// <summary>decode.py's default when the sidecar gives no <c>maxDetections</c>.</summary>
    public const int DefaultMaxDetections = 20;

    /// <summary>The sidecar of <paramref name="modelPath"/>: the same name with the extension <c>.json</c>.</summary>
    public static string SidecarPath(string modelPath) => Path.ChangeExtension(modelPath, ".json");

    /// <summary>Reads and checks the sidecar of <paramref name="modelPath"/>; throws <see cref="InferenceException"/> naming the file and the problem.</summary>
    public static DetectorContract Load(string modelPath)
    {
        var path = SidecarPath(Path.GetFullPath(modelPath));
        if (!File.Exists(path))
        {
            throw new InferenceException(
                $"Detector contract '{path}' does not exist: the model '{Path.GetFullPath(modelPath)}' needs the sidecar written with it (training/detector/export.py) beside it.");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Parse(document.RootElement, path);
        }
        catch (JsonException ex)
        {
            throw new InferenceException($"Detector contract '{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Checks a parsed sidecar; <paramref name="path"/> names it in messages.</summary>
    public static DetectorContract Parse(JsonElement root, string path)
    {
        var reader = new SidecarReader(root, path);
        reader.RequireText("normalize", "gray/255");
        reader.RequireText("letterbox", "top-left,pad 0");
        reader.RequireText("boxEncoding", "ltrb-from-cell-centre-pixels", optional: true);

        var inputName = reader.Text("input");
        var width = reader.Integer("width");
        var height = reader.Integer("height");
        var inputShape = reader.Shape("inputShape");
        reader.Check(inputShape.SequenceEqual([1, 1, height, width]), $"inputShape {Format(inputShape)} is not [1, 1, height {height}, width {width}]");

        var stride = reader.Integer("stride");
        var heatmap = reader.Shape("outputs", HeatmapOutput, "shape");
        var box = reader.Shape("outputs", BoxOutput, "shape");
        reader.Check(heatmap.Length == 4 && heatmap[0] == 1 && heatmap[1] == 1, $"outputs.heatmap.shape {Format(heatmap)} is not [1, 1, rows, columns]");
        reader.Check(box.SequenceEqual([1, 4, heatmap[2], heatmap[3]]), $"outputs.box.shape {Format(box)} is not [1, 4, {heatmap[2]}, {heatmap[3]}] (l, t, r, b per heatmap cell)");
        reader.Check(
            heatmap[2] * stride == height && heatmap[3] * stride == width,
            $"the heatmap {heatmap[3]}x{heatmap[2]} at stride {stride} does not cover the {width}x{height} input");

        var score = reader.Number("scoreThreshold");
        var nms = reader.Number("nmsIou");
        var maxDetections = reader.Integer("maxDetections", DefaultMaxDetections);
        reader.Check(score is > 0 and < 1, $"scoreThreshold {score} is not between 0 and 1");
        reader.Check(nms is > 0 and <= 1, $"nmsIou {nms} is not in (0, 1]");
        reader.Check(maxDetections > 0, $"maxDetections {maxDetections} is not positive");

        return new DetectorContract(
            inputName, width, height, HeatmapOutput, BoxOutput, heatmap[3], heatmap[2], stride, (float)score, nms, maxDetections);
    }

    private static string Format(int[] shape) => TensorInfo.FormatShape(shape.Select(d => (long)d));

    /// <summary>Typed reads from the sidecar whose failures name the file and the key.</summary>
    private readonly struct SidecarReader(JsonElement root, string path)
    {
        public string Text(string key) =>
            Get(key).ValueKind == JsonValueKind.String && Get(key).GetString() is { Length: > 0 } text ? text : throw Wrong(key, "a non-empty string");

        public void RequireText(string key, string expected, bool optional = false)
        {
            if (optional && !root.TryGetProperty(key, out _))
            {
                return;
            }

            var actual = Text(key);
            Check(actual == expected, $"{key} is '{actual}', but this program implements '{expected}' only");
        }

        public int Integer(string key, int? fallback = null)
        {
            if (fallback is { } value && !root.TryGetProperty(key, out _))
            {
                return value;
            }

            return Get(key).ValueKind == JsonValueKind.Number && Get(key).TryGetInt32(out var number) && number > 0 ? number : throw Wrong(key, "a positive integer");
        }

        public double Number(string key) =>
            Get(key).ValueKind == JsonValueKind.Number ? Get(key).GetDouble() : throw Wrong(key, "a number");

        public int[] Shape(params string[] keys)
        {
            var element = Get(keys);
            var name = string.Join('.', keys);
            if (element.ValueKind != JsonValueKind.Array)
            {
                throw Wrong(name, "an array of dimensions");
            }

            var shape = new List<int>();
            foreach (var dimension in element.EnumerateArray())
            {
                shape.Add(dimension.ValueKind == JsonValueKind.Number && dimension.TryGetInt32(out var n) && n > 0
                    ? n
                    : throw Wrong(name, "an array of positive dimensions"));
            }

            return [.. shape];
        }

        public void Check(bool condition, string problem)
        {
            if (!condition)
            {
                throw new InferenceException($"Detector contract '{path}': {problem}.");
            }
        }

        private JsonElement Get(params string[] keys)
        {
            var element = root;
            foreach (var key in keys)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(key, out element))
                {
                    throw new InferenceException($"Detector contract '{path}' has no '{string.Join('.', keys)}'.");
                }
            }

            return element;
        }

        private InferenceException Wrong(string key, string expected) =>
            new($"Detector contract '{path}': '{key}' must be {expected}.");
    }
}
