using System.Runtime.InteropServices;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Native;

namespace EdgeAnpr.Agent.Tests.Inference;

/// <summary>A missing or wrong native library gives one line naming where it looked and the command that installs it.</summary>
public sealed class OrtRuntimeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-ort-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_missing_library_names_the_folders_searched_and_the_setup_command()
    {
        string[] searched = [_directory, Path.Combine(_directory, "runtimes", "linux-x64", "native")];

        var error = Assert.Throws<InferenceException>(() => OrtRuntime.Start(null, searched, OrtRuntime.ApiVersion));

        Assert.Equal(
            $"ONNX Runtime is not installed: libonnxruntime.so.1 is in none of {searched[0]}, {searched[1]}; run ./build.sh --target=Setup to fetch it.",
            error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_library_gives_the_loaders_reason_on_one_line()
    {
        var path = Path.Combine(_directory, OrtRuntime.LibraryFileName);
        File.WriteAllText(path, "version https://git-lfs.github.com/spec/v1\n");

        var error = Assert.Throws<InferenceException>(() => OrtRuntime.Start(path, [_directory], OrtRuntime.ApiVersion));

        Assert.StartsWith($"ONNX Runtime at {path} cannot be loaded (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); run ./build.sh --target=Setup to reinstall it.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_library_too_old_for_the_api_version_names_its_version()
    {
        OnnxRuntimeTestEnvironment.RequireOnnxRuntime();
        var path = NativeLibraries.Find(OrtRuntime.LibraryFileName)!;

        // The real 1.30 library asked for an API version it lacks answers as an older library asked for 30 does.
        var error = Assert.Throws<InferenceException>(() => OrtRuntime.Start(path, NativeLibraries.SearchDirectories, 99));

        Assert.StartsWith($"ONNX Runtime at {path} is version 1.30.", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("which does not offer C API version 99 (1.99 or newer is needed); run ./build.sh --target=Setup to install the right one.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_that_is_not_onnx_runtime_is_named()
    {
        // Any real shared library without OrtGetApiBase will do: the .NET runtime's own System.Native is always there.
        var other = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libSystem.Native.so");

        var error = Assert.Throws<InferenceException>(() => OrtRuntime.Start(other, [RuntimeEnvironment.GetRuntimeDirectory()], OrtRuntime.ApiVersion));

        Assert.Equal($"{other} is not ONNX Runtime (it exports no OrtGetApiBase); run ./build.sh --target=Setup to reinstall it.", error.Message);
    }
}
