using System.Diagnostics;

namespace EdgeAnpr.Agent.Tests.Board;

/// <summary>Runs a published program (or the emulator with one) to its end, capturing what it prints.</summary>
internal static class PublishedProgram
{
    public sealed record Result(int ExitCode, string Output, string Error, TimeSpan Elapsed);

    /// <summary>Fails the test when the program has not exited within <paramref name="hangGuard"/> (it is killed).</summary>
    public static async Task<Result> RunAsync(string program, IReadOnlyList<string> arguments, TimeSpan hangGuard)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A child must not inherit a systemd socket or journal stream from whoever runs the tests.
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        info.Environment.Remove("JOURNAL_STREAM");
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(hangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(program)} {string.Join(' ', arguments)} did not exit within {hangGuard.TotalMinutes:0} min");
        }

        return new Result(process.ExitCode, await stdout, await stderr, Stopwatch.GetElapsedTime(started));
    }
}
