namespace EdgeAnpr.Agent.Tests.Board;

/// <summary>
/// Debian's user-mode arm64 emulator and the arm64 C and C++ runtime it loads programs against
/// (<c>qemu-user-static</c>, <c>libc6-arm64-cross</c>, <c>libstdc++6-arm64-cross</c>; build.cake's Setup installs them).
/// </summary>
internal static class Arm64Emulator
{
    public const string Program = "/usr/bin/qemu-aarch64-static";

    /// <summary>Where the cross packages put the arm64 loader and libraries: qemu's <c>-L</c> prefix.</summary>
    public const string LibraryRoot = "/usr/aarch64-linux-gnu";

    public static IReadOnlyList<string> Arguments { get; } = ["-L", LibraryRoot];

    /// <summary>Why arm64 programs cannot run here, or null when they can.</summary>
    public static string? Missing { get; } = Probe();

    private static string? Probe()
    {
        if (!File.Exists(Program))
        {
            return $"no {Program}: apt-get install qemu-user-static";
        }

        string[] libraries = ["lib/ld-linux-aarch64.so.1", "lib/libc.so.6", "lib/libstdc++.so.6", "lib/libgcc_s.so.1"];
        var missing = libraries.Where(l => !File.Exists(Path.Combine(LibraryRoot, l))).ToList();
        return missing.Count == 0
            ? null
            : $"no {string.Join(", ", missing.Select(l => Path.Combine(LibraryRoot, l)))}: apt-get install libc6-arm64-cross libstdc++6-arm64-cross";
    }
}

/// <summary>A test that runs the arm64 agent under qemu: skipped, with the reason shown, where the emulator or the arm64 libraries are absent.</summary>
internal sealed class Arm64FactAttribute : FactAttribute
{
    public Arm64FactAttribute()
    {
        if (Arm64Emulator.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
