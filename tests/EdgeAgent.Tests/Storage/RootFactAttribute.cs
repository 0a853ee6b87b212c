using System.Diagnostics;

namespace EdgeAnpr.Agent.Tests.Storage;

/// <summary>A test that needs to mount a filesystem: skipped, with the reason shown, where this process cannot.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public RootFactAttribute()
    {
        if (Unavailable.Value is { } reason)
        {
            Skip = reason;
        }
    }

    public static void Run(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {error}");
        }
    }

    private static string? Probe()
    {
        if (Environment.UserName != "root")
        {
            return "needs root to mount a tiny tmpfs";
        }

        var probe = Path.Combine(Path.GetTempPath(), $"edge-anpr-mount-probe-{Guid.NewGuid():N}");
        Directory.CreateDirectory(probe);
        try
        {
            Run("mount", $"-t tmpfs -o size=64k tmpfs {probe}");
            Run("umount", probe);
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "cannot mount a tmpfs here: " + ex.Message;
        }
        finally
        {
            Directory.Delete(probe);
        }
    }
}
