using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// The process's ONNX Runtime: the native library that Microsoft.ML.OnnxRuntime's P/Invokes load, found and checked
/// before the package touches it, and the package's one <see cref="OrtEnv"/>. Without this check a box published
/// without its native library fails on the first model with a TypeInitializationException and a page of loader text;
/// with it the error is one line naming the library, the folders searched and what to do. Started on first use
/// (thread-safe) and kept until the process exits.
/// </summary>
internal static class OnnxRuntimeLibrary
{
    /// <summary>The file the package's <c>DllImport("onnxruntime")</c> resolves to on Linux.</summary>
    public const string FileName = "libonnxruntime.so";

    public const string ReinstallAdvice = "install the edge-anpr build published for this box's architecture (./build.sh --target=Publish makes linux-x64 and linux-arm64)";

    /// <summary>
    /// Where the .NET host looks for the package's native library, in order: the folders it took from the program's
    /// deps.json for this runtime identifier (<c>runtimes/linux-x64/native/</c> in a portable build), then the
    /// program's own folder (a build for one runtime identifier puts it there).
    /// </summary>
    public static IReadOnlyList<string> SearchDirectories { get; } =
        ((AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(AppContext.BaseDirectory)
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    private static readonly Lazy<Loaded> Shared = new(
        () => Start(SearchDirectories),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>ONNX Runtime's version, e.g. <c>1.32.0</c>. Throws <see cref="InferenceException"/> (every time) when the library is unusable.</summary>
    public static string Version => Shared.Value.Version;

    /// <summary>The full path of the native library loaded. Throws as <see cref="Version"/> does.</summary>
    public static string LibraryPath => Shared.Value.Path;

    /// <summary>Loads the library (once) and creates the package's environment; throws as <see cref="Version"/> does.</summary>
    public static void EnsureStarted() => _ = Shared.Value;

    /// <summary>
    /// Finds <see cref="FileName"/> in the first of <paramref name="searched"/> that holds it, checks that it loads and
    /// is ONNX Runtime, then starts the package's environment over it.
    /// </summary>
    internal static Loaded Start(IReadOnlyList<string> searched)
    {
        var path = Check(searched);

        // The package loads "onnxruntime" through the same host search, so it gets the library just checked.
        try
        {
            return new Loaded(OrtEnv.Instance().GetVersionString(), path);
        }
        catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            throw new InferenceException(
                $"ONNX Runtime at {path} cannot be started ({OneLine((ex.InnerException ?? ex).Message)}); {ReinstallAdvice}.", ex);
        }
    }

    /// <summary>The library's path, once it is known to load and to be ONNX Runtime; throws <see cref="InferenceException"/> otherwise.</summary>
    internal static string Check(IReadOnlyList<string> searched)
    {
        var path = searched.Select(dir => Path.Combine(dir, FileName)).FirstOrDefault(File.Exists)
            ?? throw new InferenceException(
                $"ONNX Runtime is not installed: {FileName} is in none of {string.Join(", ", searched)}; {ReinstallAdvice}.");

        nint library;
        try
        {
            library = NativeLibrary.Load(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            throw new InferenceException(
                $"ONNX Runtime at {path} cannot be loaded ({LoaderReason(ex, path)}); {ReinstallAdvice}.", ex);
        }

        // Kept loaded: the package's P/Invokes load it again by name and get this same handle.
        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out _))
        {
            throw new InferenceException($"{path} is not ONNX Runtime (it exports no OrtGetApiBase); {ReinstallAdvice}.");
        }

        return path;
    }

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    /// <summary>The loader's own reason (dlerror), which .NET puts on the last line of its message.</summary>
    private static string LoaderReason(Exception ex, string path)
    {
        var lines = ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var reason = lines.Length > 0 ? lines[^1] : ex.GetType().Name;
        return reason.StartsWith(path + ":", StringComparison.Ordinal) ? reason[(path.Length + 1)..].Trim() : reason;
    }

    internal sealed record Loaded(string Version, string Path);
}
