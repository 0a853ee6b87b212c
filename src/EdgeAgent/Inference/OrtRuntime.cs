using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using EdgeAnpr.Agent.Native;

namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// The process's ONNX Runtime: the native library, its API table, the one <c>OrtEnv</c>, a CPU memory info for
/// tensors over managed buffers and the default allocator. Started on first use (thread-safe) and kept until the
/// process exits: the library is never unloaded and the env is never released, because ONNX Runtime requires the env
/// to outlive every session, including ones a finalizer releases late. The library is loaded explicitly from the
/// folders <see cref="NativeLibraries.SearchDirectories"/> lists, so a missing or wrong file gives one clear line.
/// </summary>
internal sealed unsafe class OrtRuntime
{
    public const string LibraryFileName = "libonnxruntime.so.1";

    /// <summary>The C API version asked for: ONNX Runtime 1.30 answers versions 1 to 30.</summary>
    public const uint ApiVersion = 30;

    public const string SetupCommand = "./build.sh --target=Setup";

    // ONNXTensorElementDataType, OrtLoggingLevel, OrtAllocatorType and OrtMemType values from onnxruntime_c_api.h.
    public const int ElementTypeFloat = 1;
    private const int LoggingLevelWarning = 2;
    private const int ArenaAllocator = 1;
    private const int MemTypeDefault = 0;

    private static readonly Lazy<OrtRuntime> SharedRuntime = new(
        () => Start(NativeLibraries.Find(LibraryFileName), NativeLibraries.SearchDirectories, ApiVersion),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private OrtRuntime(OrtApi api, string version, string libraryPath)
    {
        Api = api;
        Version = version;
        LibraryPath = libraryPath;
    }

    /// <summary>The process's runtime; throws <see cref="InferenceException"/> (every time) when the library is unusable.</summary>
    public static OrtRuntime Shared => SharedRuntime.Value;

    public OrtApi Api { get; }

    /// <summary>ONNX Runtime's version string, e.g. <c>1.30.0</c>.</summary>
    public string Version { get; }

    public string LibraryPath { get; }

    /// <summary>The process's <c>OrtEnv</c>; never released.</summary>
    public nint Env { get; private set; }

    /// <summary>CPU memory info that tensors over caller buffers are made with; never released.</summary>
    public nint CpuMemoryInfo { get; private set; }

    /// <summary>ONNX Runtime's default allocator, which allocates input and output names; owned by ONNX Runtime.</summary>
    public nint DefaultAllocator { get; private set; }

    /// <summary>
    /// Loads the library at <paramref name="libraryPath"/> (null when no folder in <paramref name="searched"/> holds it),
    /// checks it is ONNX Runtime offering <paramref name="apiVersion"/>, and creates the env.
    /// </summary>
    internal static OrtRuntime Start(string? libraryPath, IReadOnlyList<string> searched, uint apiVersion)
    {
        if (libraryPath is null)
        {
            throw new InferenceException(
                $"ONNX Runtime is not installed: {LibraryFileName} is in none of {string.Join(", ", searched)}; run {SetupCommand} to fetch it.");
        }

        nint library;
        try
        {
            library = NativeLibrary.Load(libraryPath);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            throw new InferenceException(
                $"ONNX Runtime at {libraryPath} cannot be loaded ({LoaderReason(ex, libraryPath)}); run {SetupCommand} to reinstall it.", ex);
        }

        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBase))
        {
            throw new InferenceException(
                $"{libraryPath} is not ONNX Runtime (it exports no OrtGetApiBase); run {SetupCommand} to reinstall it.");
        }

        // OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = ((delegate* unmanaged<nint*>)getApiBase)();
        var getApi = (delegate* unmanaged<uint, nint*>)apiBase[0];
        var getVersionString = (delegate* unmanaged<byte*>)apiBase[1];
        var version = Marshal.PtrToStringUTF8((nint)getVersionString()) ?? "unknown";
        var table = getApi(apiVersion);
        if (table is null)
        {
            throw new InferenceException(
                $"ONNX Runtime at {libraryPath} is version {version}, which does not offer C API version {apiVersion} (1.{apiVersion} or newer is needed); run {SetupCommand} to install the right one.");
        }

        var runtime = new OrtRuntime(new OrtApi(table), version, libraryPath);
        runtime.CreateEnv();
        return runtime;
    }

    /// <summary>Throws an <see cref="OnnxRuntimeException"/> for a non-null status, releasing it; does nothing for null.</summary>
    /// <param name="action">What failed, for the message: "to load", "to run".</param>
    /// <param name="model">The model concerned, or null.</param>
    /// <param name="tensor">The input or output concerned, or null. (Arguments are constants or stored names: no
    /// string is built unless the call failed, so a run allocates nothing.)</param>
    public void Check(nint status, string action, string? model, string? tensor = null)
    {
        if (status != 0)
        {
            Throw(status, action, model, tensor);
        }
    }

    /// <summary>Releases a status on a path that cannot throw (disposal), ignoring the error it reports.</summary>
    public void Ignore(nint status)
    {
        if (status != 0)
        {
            Api.ReleaseStatus(status);
        }
    }

    [DoesNotReturn]
    private void Throw(nint status, string action, string? model, string? tensor)
    {
        var code = (OrtErrorCode)Api.GetErrorCode(status);
        var message = Marshal.PtrToStringUTF8((nint)Api.GetErrorMessage(status)) ?? "";
        Api.ReleaseStatus(status);
        var subject = (model is null ? "" : $" model '{model}'") + (tensor is null ? "" : $" (tensor '{tensor}')");
        throw new OnnxRuntimeException(code, message, $"ONNX Runtime failed {action}{subject}: {OneLine(message)} ({code})");
    }

    private void CreateEnv()
    {
        nint env, memoryInfo, allocator;
        fixed (byte* logId = "edge-anpr\0"u8)
        {
            Check(Api.CreateEnv(LoggingLevelWarning, logId, &env), "to create its environment", null);
        }

        Check(Api.CreateCpuMemoryInfo(ArenaAllocator, MemTypeDefault, &memoryInfo), "to create CPU memory info", null);
        Check(Api.GetAllocatorWithDefaultOptions(&allocator), "to get its default allocator", null);
        Env = env;
        CpuMemoryInfo = memoryInfo;
        DefaultAllocator = allocator;
    }

    /// <summary>The loader's own reason (dlerror), which .NET puts on the last line of its message.</summary>
    private static string LoaderReason(Exception ex, string path)
    {
        var lines = ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var reason = lines.Length > 0 ? lines[^1] : ex.GetType().Name;
        return reason.StartsWith(path + ":", StringComparison.Ordinal) ? reason[(path.Length + 1)..].Trim() : reason;
    }

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
