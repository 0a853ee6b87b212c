using EdgeAnpr.Agent.Inference;

namespace EdgeAnpr.Agent.Tests.Inference;

/// <summary>
/// The real ONNX Runtime and the committed fixture models (Fixtures/make_fixtures.py). Every inference test starts
/// with <see cref="RequireOnnxRuntime"/>, so a build without the package's native library fails with the one line that
/// says so instead of a loader error.
/// </summary>
internal static class OnnxRuntimeTestEnvironment
{
    public static void RequireOnnxRuntime()
    {
        try
        {
            OnnxRuntimeLibrary.EnsureStarted();
        }
        catch (InferenceException ex)
        {
            Assert.Fail(ex.Message);
        }
    }

    /// <summary>The path of a committed fixture model, copied beside the tests by the test project.</summary>
    public static string Model(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Inference", "Fixtures", fileName);
        if (!File.Exists(path))
        {
            Assert.Fail($"Fixture model {path} is missing: it is committed under tests/EdgeAgent.Tests/Inference/Fixtures/ (made by make_fixtures.py) and copied by the test project.");
        }

        return path;
    }

    /// <summary>Opens a fixture model with the given options (defaults when null).</summary>
    public static InferenceSession Open(string fileName, InferenceOptions? options = null)
    {
        RequireOnnxRuntime();
        return InferenceSession.FromFile(Model(fileName), options);
    }

    /// <summary>Reproducible pseudo-random values in [-1, 1).</summary>
    public static float[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
