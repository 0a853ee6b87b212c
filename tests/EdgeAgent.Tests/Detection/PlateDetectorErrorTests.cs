using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Inference;
using static EdgeAnpr.Agent.Tests.Inference.OnnxRuntimeTestEnvironment;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>Each way the detector's files or its input can be wrong gives one clear message naming the file and the problem.</summary>
public sealed class PlateDetectorErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-detection-").FullName;

    public PlateDetectorErrorTests() => RequireOnnxRuntime();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Another_model_with_the_detectors_contract_is_refused_naming_the_file_and_both_shapes()
    {
        var path = Copy(Model("conv.onnx"), "plate-detector.onnx");
        Copy(DetectorContract.SidecarPath(SceneData.DetectorModelPath), "plate-detector.json");

        var error = Assert.Throws<InferenceException>(() => PlateDetector.FromFile(path));

        Assert.Equal(
            $"Model '{path}' input 'image' has shape [-1, 1, 32, 128], but this program expects [1, 1, 384, 640] (-1: any size); is it the right model?",
            error.Message);
    }

    [Fact]
    public void A_model_without_its_contract_is_refused_naming_the_missing_file()
    {
        var path = Copy(SceneData.DetectorModelPath, "plate-detector.onnx");

        var error = Assert.Throws<InferenceException>(() => PlateDetector.FromFile(path));

        Assert.StartsWith($"Detector contract '{Path.Combine(_directory, "plate-detector.json")}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_is_named()
    {
        var path = Path.Combine(_directory, "plate-detector.onnx");
        Copy(DetectorContract.SidecarPath(SceneData.DetectorModelPath), "plate-detector.json");

        var error = Assert.Throws<InferenceException>(() => PlateDetector.FromFile(path));

        Assert.Equal($"Model file '{path}' does not exist.", error.Message);
    }

    [Theory]
    [InlineData("\"normalize\": \"gray/255\"", "\"normalize\": \"(gray-128)/128\"", "normalize is '(gray-128)/128', but this program implements 'gray/255' only.")]
    [InlineData("\"stride\": 4", "\"stride\": 8", "the heatmap 160x96 at stride 8 does not cover the 640x384 input.")]
    [InlineData("\"scoreThreshold\": 0.3", "\"scoreThreshold\": \"high\"", "'scoreThreshold' must be a number.")]
    [InlineData("\"input\": \"image\",", "", "has no 'input'.")]
    [InlineData("\"nmsIou\": 0.45", "\"nmsIou\": 0.45,", "is not valid JSON")]
    public void A_contract_the_program_cannot_follow_is_refused_naming_the_key(string original, string replacement, string problem)
    {
        var path = Copy(SceneData.DetectorModelPath, "plate-detector.onnx");
        var sidecar = File.ReadAllText(DetectorContract.SidecarPath(SceneData.DetectorModelPath)).ReplaceLineEndings("\n");
        var compact = System.Text.RegularExpressions.Regex.Replace(sidecar, @"\[\s*([^\]]*?)\s*\]", m => "[" + string.Join(", ", m.Groups[1].Value.Split(',').Select(s => s.Trim())) + "]");
        Assert.Contains(original, compact, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_directory, "plate-detector.json"), compact.Replace(original, replacement, StringComparison.Ordinal));

        var error = Assert.Throws<InferenceException>(() => PlateDetector.FromFile(path));

        Assert.StartsWith($"Detector contract '{Path.Combine(_directory, "plate-detector.json")}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_frame_is_refused_with_its_size()
    {
        using var detector = new PlateDetector(new FakeDetectorSession(FakeDetectorSession.CommittedContract), FakeDetectorSession.CommittedContract);
        var plates = new List<PlateDetection>();

        var empty = Assert.Throws<ArgumentException>(() => detector.Detect([], 0, 0, null, plates));
        var short_ = Assert.Throws<ArgumentException>(() => detector.Detect(new byte[100], 640, 480, null, plates));

        Assert.StartsWith("Cannot detect plates in an empty image (0x0, 0 bytes).", empty.Message, StringComparison.Ordinal);
        Assert.StartsWith("A 640x480 gray image needs 307200 bytes; 100 were given.", short_.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_detector_disposes_its_session()
    {
        var session = new FakeDetectorSession(FakeDetectorSession.CommittedContract);

        new PlateDetector(session, session.Contract).Dispose();

        Assert.True(session.Disposed);
    }

    private string Copy(string source, string name)
    {
        var path = Path.Combine(_directory, name);
        File.Copy(source, path);
        return path;
    }
}
