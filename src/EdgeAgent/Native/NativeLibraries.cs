using System.Reflection;
using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Native;

/// <summary>
/// Finds the native libraries the build places beside the program, without LD_LIBRARY_PATH.
/// A portable publish carries each architecture's copy under <c>runtimes/&lt;rid&gt;/native/</c>
/// (see DESIGN.md: the SDK here cannot make an arm64 self-contained build), so the right one is
/// picked by the running process's architecture; anything else is left to the normal loader search.
/// </summary>
public static class NativeLibraries
{
    private static int _installed;

    /// <summary>The runtime identifier whose native folder this process loads from.</summary>
    public static string RuntimeIdentifier => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        Architecture.Arm => "linux-arm",
        var other => "linux-" + other.ToString().ToUpperInvariant(),
    };

    /// <summary>The folders searched, in order, for a library shipped with the program.</summary>
    public static IReadOnlyList<string> SearchDirectories { get; } =
    [
        Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeIdentifier, "native"),
        AppContext.BaseDirectory,
    ];

    /// <summary>Installs the resolver for this assembly's DllImports once; safe to call repeatedly.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
        }
    }

    /// <summary>The full path of a shipped library, or null when none of <see cref="SearchDirectories"/> holds it.</summary>
    public static string? Find(string fileName) =>
        SearchDirectories.Select(dir => Path.Combine(dir, fileName)).FirstOrDefault(File.Exists);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        foreach (var candidate in Candidates(libraryName))
        {
            if (Find(candidate) is { } path && NativeLibrary.TryLoad(path, out var handle))
            {
                return handle;
            }
        }

        // Fall back to the loader's own search (system libraries).
        return IntPtr.Zero;
    }

    private static IEnumerable<string> Candidates(string libraryName)
    {
        yield return libraryName;
        if (!libraryName.Contains(".so", StringComparison.Ordinal))
        {
            var stem = libraryName.StartsWith("lib", StringComparison.Ordinal) ? libraryName : "lib" + libraryName;
            yield return stem + ".so.1";
            yield return stem + ".so";
        }
    }
}
