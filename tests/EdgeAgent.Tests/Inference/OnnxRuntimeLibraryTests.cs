using System.Runtime.InteropServices;
using EdgeAnpr.Agent.Inference;

namespace EdgeAnpr.Agent.Tests.Inference;

/// <summary>A missing or wrong native library gives one line naming the library, where it looked and what to do.</summary>
public sealed class OnnxRuntimeLibraryTests : IDisposable
{
    private const string Advice = "install the edge-anpr build published for this box's architecture (./build.sh --target=Publish makes linux-x64 and linux-arm64).";

    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-ort-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_missing_library_names_the_file_the_folders_searched_and_what_to_do()
    {
        string[] searched = [Path.Combine(_directory, "runtimes", "linux-x64", "native"), _directory];

        var error = Assert.Throws<InferenceException>(() => OnnxRuntimeLibrary.Check(searched));

        Assert.Equal($"ONNX Runtime is not installed: libonnxruntime.so is in none of {searched[0]}, {searched[1]}; {Advice}", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_library_gives_the_loaders_reason_on_one_line()
    {
        var path = Path.Combine(_directory, OnnxRuntimeLibrary.FileName);
        File.WriteAllText(path, "version https://git-lfs.github.com/spec/v1\n");

        var error = Assert.Throws<InferenceException>(() => OnnxRuntimeLibrary.Check([_directory]));

        Assert.StartsWith($"ONNX Runtime at {path} cannot be loaded (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); " + Advice, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_library_that_is_not_onnx_runtime_is_named()
    {
        // Any real shared library without OrtGetApiBase will do: the .NET runtime's own System.Native, under the name searched for.
        var path = Path.Combine(_directory, OnnxRuntimeLibrary.FileName);
        File.Copy(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libSystem.Native.so"), path);

        var error = Assert.Throws<InferenceException>(() => OnnxRuntimeLibrary.Check([_directory]));

        Assert.Equal($"{path} is not ONNX Runtime (it exports no OrtGetApiBase); {Advice}", error.Message);
    }

    [Fact]
    public void The_library_the_program_carries_is_found_where_the_host_looks()
    {
        var path = OnnxRuntimeLibrary.Check(OnnxRuntimeLibrary.SearchDirectories);

        // The tests are a portable build: the package's library for this architecture, under runtimes/<rid>/native/.
        var rid = "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", OnnxRuntimeLibrary.FileName), path);
    }
}
