using EdgeAnpr.Agent.Inference;
using static EdgeAnpr.Agent.Tests.Inference.OnnxRuntimeTestEnvironment;

namespace EdgeAnpr.Agent.Tests.Inference;

/// <summary>Each way a model or a tensor can be wrong gives one exception whose message names the model and the problem.</summary>
public sealed class InferenceErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-inference-").FullName;

    public InferenceErrorTests() => RequireOnnxRuntime();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_corrupt_model_file_gives_onnx_runtimes_error_and_the_path()
    {
        var path = Path.Combine(_directory, "plate-reader-ir.onnx");
        File.WriteAllBytes(path, RandomBytes(4096));

        var error = Assert.Throws<OnnxRuntimeException>(() => InferenceSession.FromFile(path));

        Assert.NotEqual(OrtErrorCode.Ok, error.ErrorCode);
        Assert.NotEqual(OrtErrorCode.Fail, error.ErrorCode);
        Assert.NotEmpty(error.OrtMessage);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(error.OrtMessage.ReplaceLineEndings(" ").Trim(), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Corrupt_model_bytes_give_onnx_runtimes_error_and_the_name()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => InferenceSession.FromBytes(RandomBytes(1000), "detector (download)"));

        Assert.Contains("detector (download)", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.ErrorCode.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_file_is_named()
    {
        var path = Path.Combine(_directory, "models", "plate-reader-ir.onnx");

        var error = Assert.Throws<InferenceException>(() => InferenceSession.FromFile(path));

        Assert.Equal($"Model file '{path}' does not exist.", error.Message);
    }

    [Fact]
    public void A_model_whose_input_shape_differs_from_what_the_program_feeds_names_both_shapes()
    {
        using var session = Open("conv.onnx");

        var error = Assert.Throws<InferenceException>(() => session.RequireInput("image", 1, 3, 32, 128));

        Assert.Equal(
            $"Model '{Model("conv.onnx")}' input 'image' has shape [-1, 1, 32, 128], but this program expects [1, 3, 32, 128] (-1: any size); is it the right model?",
            error.Message);
    }

    [Fact]
    public void A_model_without_the_required_input_lists_its_inputs()
    {
        using var session = Open("conv.onnx");

        var error = Assert.Throws<InferenceException>(() => session.RequireInput("pixels", 1, 1, 32, 128));

        Assert.Contains("has no input 'pixels'; its inputs are: image float32 [-1, 1, 32, 128]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rank_mismatch_is_a_shape_mismatch()
    {
        using var session = Open("add_mul.onnx");

        var error = Assert.Throws<InferenceException>(() => session.RequireInput("x", 1, 1, 4));

        Assert.Contains("has shape [-1, 4], but this program expects [1, 1, 4]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_whose_length_is_not_the_shapes_element_count_is_refused()
    {
        using var session = Open("add_mul.onnx");
        using var y = new InferenceOutput("y");

        var error = Assert.Throws<InferenceException>(() => session.Run(new InferenceInput("x", new float[7], new long[] { 2, 4 }), y));

        Assert.Equal($"Model '{Model("add_mul.onnx")}' input 'x': shape [2, 4] needs 8 elements, but the data given holds 7.", error.Message);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_refused_before_onnx_runtime_sees_it()
    {
        using var session = Open("conv.onnx");
        using var features = new InferenceOutput("features");

        var error = Assert.Throws<InferenceException>(() => session.Run(new InferenceInput("image", new float[32 * 100], new long[] { 1, 1, 32, 100 }), features));

        Assert.Equal($"Model '{Model("conv.onnx")}' input 'image' has shape [-1, 1, 32, 128], but the tensor given has shape [1, 1, 32, 100].", error.Message);
    }

    [Fact]
    public void Unknown_input_and_output_names_list_the_models_names()
    {
        using var session = Open("two_outputs.onnx");
        using var wrongOutput = new InferenceOutput("sum");
        using var scaled = new InferenceOutput("scaled");
        var input = new InferenceInput("x", new float[3], new long[] { 1, 3 });

        var badInput = Assert.Throws<InferenceException>(() => session.Run(input with { Name = "X" }, scaled));
        var badOutput = Assert.Throws<InferenceException>(() => session.Run(input, wrongOutput));

        Assert.Contains("has no input 'X'; its inputs are: x float32 [-1, 3]", badInput.Message, StringComparison.Ordinal);
        Assert.Contains("has no output 'sum'; its outputs are: scaled float32 [-1, 3]; total float32 [-1, 1]", badOutput.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_float_output_is_refused_clearly()
    {
        using var session = Open("argmax.onnx");
        using var index = new InferenceOutput("index");

        var error = Assert.Throws<InferenceException>(() => session.Run(new InferenceInput("x", new float[5], new long[] { 1, 5 }), index));

        Assert.Contains("output 'index' is int64; only float32 outputs are supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposing_twice_is_safe_and_a_later_run_says_the_session_is_disposed()
    {
        var session = Open("add_mul.onnx");
        using var y = new InferenceOutput("y");

        session.Dispose();
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Run(new InferenceInput("x", new float[4], new long[] { 1, 4 }), y));
    }

    [Fact]
    public void The_session_stays_usable_after_a_refused_run()
    {
        using var session = Open("add_mul.onnx");
        using var y = new InferenceOutput("y");
        Assert.Throws<InferenceException>(() => session.Run(new InferenceInput("x", new float[3], new long[] { 1, 4 }), y));

        session.Run(new InferenceInput("x", new float[4], new long[] { 1, 4 }), y);

        Assert.Equal([1f, 1, 1, 1], y.Span.ToArray());
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(42).NextBytes(bytes);
        return bytes;
    }
}
