using System.Text.Json;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>
/// What a plate reader model expects and produces, read from the sidecar written with it
/// (<c>models/plate-reader-*.json</c>, made by <c>training/platereader/card.py</c>): input name and size, output name,
/// the character of each output class, the blank class, and whether the output is raw logits. The rules that are
/// not numbers (one gray channel, gray/255, NCHW) are checked, so a model trained to other rules is refused at start
/// instead of read wrongly.
/// </summary>
internal sealed record ReaderContract(
    string SidecarPath,
    string InputName,
    string OutputName,
    int InputWidth,
    int InputHeight,
    IReadOnlyList<string> Charset,
    int Blank,
    bool OutputIsLogits,
    int? TimeSteps,
    bool TwoRow = false)
{
    /// <summary>The sidecar of <paramref name="modelPath"/>: the same name with the extension <c>.json</c>.</summary>
    public static string SidecarPathOf(string modelPath) => Path.ChangeExtension(Path.GetFullPath(modelPath), ".json");

    /// <summary>Reads and checks the sidecar of <paramref name="modelPath"/>; throws <see cref="InferenceException"/> naming the file and the problem.</summary>
    public static ReaderContract Load(string modelPath)
    {
        var path = SidecarPathOf(modelPath);
        if (!File.Exists(path))
        {
            throw new InferenceException(
                $"Plate reader contract '{path}' does not exist: the model '{Path.GetFullPath(modelPath)}' needs the sidecar written with it (training/platereader/card.py) beside it.");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Parse(document.RootElement, path);
        }
        catch (JsonException ex)
        {
            throw new InferenceException($"Plate reader contract '{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Checks a parsed sidecar; <paramref name="path"/> names it in messages.</summary>
    public static ReaderContract Parse(JsonElement root, string path)
    {
        void Check(bool condition, string problem)
        {
            if (!condition)
            {
                throw new InferenceException($"Plate reader contract '{path}': {problem}.");
            }
        }

        JsonElement Get(string key, JsonValueKind kind, bool optional = false)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(key, out var value))
            {
                Check(optional, $"has no '{key}'");
                return default;
            }

            Check(value.ValueKind == kind, $"'{key}' must be {(kind == JsonValueKind.Array ? "an array" : kind.ToString().ToLowerInvariant())}, not {value.ValueKind.ToString().ToLowerInvariant()}");
            return value;
        }

        string Text(string key) => Get(key, JsonValueKind.String).GetString() is { Length: > 0 } text ? text : throw new InferenceException($"Plate reader contract '{path}': '{key}' is empty.");

        int Positive(string key, int max)
        {
            var element = Get(key, JsonValueKind.Number);
            Check(element.TryGetInt32(out var value) && value > 0 && value <= max, $"'{key}' must be a whole number from 1 to {max}, not {element.GetRawText()}");
            return value;
        }

        void Require(string key, string expected)
        {
            var actual = Text(key);
            Check(actual == expected, $"'{key}' is '{actual}', but this program implements '{expected}' only");
        }

        var inputName = Text("input");
        var outputName = Text("output");
        var height = Positive("height", 1024);
        var width = Positive("width", 4096);
        Check(Positive("channels", 64) == 1, "'channels' must be 1: this program feeds one gray channel");
        Require("normalize", "gray/255");
        Require("layout", "NCHW");

        var outputKind = Text("outputKind");
        Check(outputKind is "logits" or "log_softmax", $"'outputKind' is '{outputKind}'; this program reads 'logits' or 'log_softmax'");

        var charset = new List<string>();
        foreach (var entry in Get("charset", JsonValueKind.Array).EnumerateArray())
        {
            Check(entry.ValueKind == JsonValueKind.String, $"charset entry {charset.Count} is not a string");
            charset.Add(entry.GetString()!);
        }

        Check(charset.Count >= 2, $"'charset' has {charset.Count} entries; a reader needs the blank and at least one character");
        var blank = Get("blank", JsonValueKind.Number).TryGetInt32(out var b) ? b : -1;
        Check(blank >= 0 && blank < charset.Count, $"'blank' must be a class index from 0 to {charset.Count - 1}");
        Check(charset[blank].Length == 0, $"charset[{blank}] (the blank) is '{charset[blank]}', not \"\"");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < charset.Count; i++)
        {
            if (i == blank)
            {
                continue;
            }

            var entry = charset[i];
            Check(entry.Length == 1, $"charset[{i}] is '{entry}'; every class but the blank must be one character");
            Check(PlateAlphabet.Fold(entry[0]) is { } folded && folded != '\0', $"charset[{i}] '{entry}' (U+{(int)entry[0]:X4}) is not a plate character");
            Check(seen.Add(entry), $"charset[{i}] '{entry}' appears twice");
        }

        int? timeSteps = root.TryGetProperty("timeSteps", out _) ? Positive("timeSteps", 4096) : null;

        // Optional: a reader trained on unfolded two-row plates (Recognition/TwoRowUnfold.cs).
        var twoRow = root.TryGetProperty("twoRow", out _);
        if (twoRow)
        {
            Require("twoRow", "unfold");
        }

        return new ReaderContract(path, inputName, outputName, width, height, charset, blank, outputKind == "logits", timeSteps, twoRow);
    }
}
