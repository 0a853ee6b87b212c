using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Shared.Plates;
using static EdgeAnpr.Agent.Tests.Inference.OnnxRuntimeTestEnvironment;

namespace EdgeAnpr.Agent.Tests.Recognition;

/// <summary>Each way a reader model, its contract or a crop can be wrong gives one exception naming the file and the problem.</summary>
public sealed class ReaderErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-reader-").FullName;

    public ReaderErrorTests() => RequireOnnxRuntime();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_corrupt_model_file_gives_onnx_runtimes_error_and_the_path()
    {
        var path = Place(Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray(), Contract());

        var error = Assert.Throws<OnnxRuntimeException>(() => PlateReaderModel.FromFile(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_is_named_before_its_contract()
    {
        var path = Path.Combine(_directory, "plate-reader-ir.onnx");

        var error = Assert.Throws<InferenceException>(() => PlateReaderModel.FromFile(path));

        Assert.Equal($"Model file '{path}' does not exist.", error.Message);
    }

    [Fact]
    public void A_model_without_its_contract_names_the_missing_json()
    {
        var path = Path.Combine(_directory, "reader.onnx");
        File.Copy(Model("conv.onnx"), path);

        var error = Assert.Throws<InferenceException>(() => PlateReaderModel.FromFile(path));

        Assert.StartsWith($"Plate reader contract '{Path.ChangeExtension(path, ".json")}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_whose_input_differs_from_its_contract_names_both_shapes()
    {
        // conv.onnx takes image [-1, 1, 32, 128]; the contract says 160 wide.
        var path = Place(File.ReadAllBytes(Model("conv.onnx")), Contract(width: 160, output: "features"));

        var error = Assert.Throws<InferenceException>(() => PlateReaderModel.FromFile(path));

        Assert.Equal(
            $"Model '{path}' input 'image' has shape [-1, 1, 32, 128], but this program expects [-1, 1, 32, 160] (-1: any size); is it the right model?",
            error.Message);
    }

    [Fact]
    public void A_model_whose_output_is_not_steps_by_classes_is_refused()
    {
        var path = Place(File.ReadAllBytes(Model("conv.onnx")), Contract(width: 128, output: "features"));

        var error = Assert.Throws<InferenceException>(() => PlateReaderModel.FromFile(path));

        Assert.Contains("output features float32 [-1, 2, 32, 128] is not float32 [batch, steps, classes]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_whose_charset_does_not_match_the_models_classes_names_both_counts()
    {
        // The Latin reader gives 37 classes; this contract lists one more.
        var path = Place(File.ReadAllBytes(ReaderModels.Path(ReaderModels.Latin)), Contract(width: 128, charset: [.. Columns.Latin, "ب"]));

        var error = Assert.Throws<InferenceException>(() => PlateReaderModel.FromFile(path));

        Assert.Equal(
            $"Model '{path}' gives 37 classes per step, but its contract '{Path.ChangeExtension(path, ".json")}' lists 38 (charset, blank included); the model and its .json do not belong together.",
            error.Message);
    }

    [Theory]
    [InlineData("normalize", "\"imagenet\"", "'normalize' is 'imagenet', but this program implements 'gray/255' only")]
    [InlineData("channels", "3", "'channels' must be 1: this program feeds one gray channel")]
    [InlineData("outputKind", "\"softmax\"", "'outputKind' is 'softmax'; this program reads 'logits' or 'log_softmax'")]
    [InlineData("height", "0", "'height' must be a whole number from 1 to 1024, not 0")]
    [InlineData("blank", "3", "charset[3] (the blank) is '2', not \"\"")]
    [InlineData("charset", "[\"\", \"1\", \"1\"]", "charset[2] '1' appears twice")]
    [InlineData("charset", "[\"\", \"1\", \"-\"]", "charset[2] '-' (U+002D) is not a plate character")]
    [InlineData("input", "7", "'input' must be string, not number")]
    public void A_contract_that_breaks_the_rules_names_the_key(string key, string json, string problem)
    {
        var contract = Contract();
        contract[key] = JsonNode.Parse(json);
        var path = Place(File.ReadAllBytes(Model("conv.onnx")), contract);

        var error = Assert.Throws<InferenceException>(() => PlateReaderModel.FromFile(path));

        Assert.Equal($"Plate reader contract '{Path.ChangeExtension(path, ".json")}': {problem}.", error.Message);
    }

    [Fact]
    public void A_contract_that_is_not_json_is_named()
    {
        var path = Place(File.ReadAllBytes(Model("conv.onnx")), Contract());
        File.WriteAllText(Path.ChangeExtension(path, ".json"), "{ \"input\": ");

        var error = Assert.Throws<InferenceException>(() => PlateReaderModel.FromFile(path));

        Assert.StartsWith($"Plate reader contract '{Path.ChangeExtension(path, ".json")}' is not valid JSON: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_asked_for_plates_its_charset_cannot_write_says_so()
    {
        using var reader = PlateReaderModel.FromFile(ReaderModels.Path(ReaderModels.Latin));

        var error = Assert.Throws<InferenceException>(() => reader.Decoder(PlateRegion.Ir));

        Assert.Equal(
            $"Model '{reader.ModelName}' cannot read ir plates: No class of the reader's character set can be written in slot IranianLetter of the ir format 'iran'.",
            error.Message);
    }

    [Fact]
    public void Empty_crops_and_crops_outside_the_frame_are_refused_naming_the_crop()
    {
        using var reader = PlateReaderModel.FromFile(ReaderModels.Path(ReaderModels.Latin));
        var frame = new byte[100 * 50];

        var empty = Assert.Throws<ArgumentException>(() => reader.Read(frame, 100, [new PixelRect(0, 0, 40, 10), new PixelRect(5, 5, 0, 10)], PlateRegion.Latin));
        var outside = Assert.Throws<ArgumentException>(() => reader.Read(frame, 100, [new PixelRect(70, 5, 40, 10)], PlateRegion.Latin));
        var below = Assert.Throws<ArgumentException>(() => reader.Read(frame, 100, [new PixelRect(0, 45, 40, 10)], PlateRegion.Latin));

        Assert.StartsWith("Crop 1, 0x10 at (5, 5), is empty: there is no plate to read.", empty.Message, StringComparison.Ordinal);
        Assert.StartsWith("Crop 0, 40x10 at (70, 5), lies outside the 100x50 frame.", outside.Message, StringComparison.Ordinal);
        Assert.Contains("lies outside the 100x50 frame", below.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Readers_for_a_region_whose_model_is_missing_name_the_model()
    {
        var options = new RecognitionOptions { LatinModelPath = Path.Combine(_directory, "missing.onnx") };
        options.Regions.Add("ru");

        var error = Assert.Throws<InferenceException>(() => PlateReaders.Open(options));

        Assert.Equal($"Model file '{options.LatinModelPath}' does not exist.", error.Message);
    }

    /// <summary>A contract like the shipped ones (the Iranian reader's by default), as JSON to change.</summary>
    private static JsonObject Contract(int width = 160, string output = "logits", string[]? charset = null) => new()
    {
        ["input"] = "image",
        ["output"] = output,
        ["height"] = 32,
        ["width"] = width,
        ["channels"] = 1,
        ["normalize"] = "gray/255",
        ["layout"] = "NCHW",
        ["charset"] = new JsonArray([.. (charset ?? Columns.Iranian).Select(c => JsonValue.Create(c))]),
        ["blank"] = 0,
        ["outputKind"] = "logits",
        ["timeSteps"] = width / 4,
    };

    /// <summary>Writes a model file and its contract beside it; returns the model's path.</summary>
    private string Place(byte[] model, JsonObject contract)
    {
        var path = Path.Combine(_directory, "reader.onnx");
        File.WriteAllBytes(path, model);
        File.WriteAllText(Path.ChangeExtension(path, ".json"), contract.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
