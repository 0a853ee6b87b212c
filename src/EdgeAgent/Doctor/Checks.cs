using System.Diagnostics;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Storage;

namespace EdgeAnpr.Agent.Doctor;

/// <summary>The individual checks <c>doctor</c> runs; each returns one line and never throws.</summary>
internal static class Checks
{
    /// <summary>The earliest plausible time: a box without a real-time clock boots in 1970 until NTP answers.</summary>
    private static readonly DateTimeOffset EarliestPlausibleTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<DoctorCheck> FfmpegAsync(string ffmpegPath, CancellationToken cancellationToken)
    {
        var result = await RunAsync(ffmpegPath, ["-hide_banner", "-version"], TimeSpan.FromSeconds(10), cancellationToken);
        return result is { ExitCode: 0 } ok
            ? DoctorCheck.Ok("ffmpeg", ok.Output.Split('\n', 2)[0].Trim())
            : DoctorCheck.Fail("ffmpeg", $"'{ffmpegPath}' does not run ({result?.Output.Trim() ?? "not found"}): apt-get install ffmpeg");
    }

    /// <summary>ONNX Runtime: its native library found, loaded and started, with the version this program runs.</summary>
    public static DoctorCheck OnnxRuntime()
    {
        try
        {
            return DoctorCheck.Ok("onnxruntime", $"ONNX Runtime {OnnxRuntimeLibrary.Version} ({OnnxRuntimeLibrary.LibraryPath})");
        }
        catch (InferenceException ex)
        {
            return DoctorCheck.Fail("onnxruntime", ex.Message);
        }
    }

    public static DoctorCheck StateDirectory(StorageOptions storage)
    {
        try
        {
            Directory.CreateDirectory(storage.Directory);
            var probe = Path.Combine(storage.Directory, $".doctor-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return DoctorCheck.Ok("state directory", $"{storage.Directory} is writable");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DoctorCheck.Fail("state directory", $"{storage.Directory} is not writable: {ex.Message}");
        }
    }

    public static DoctorCheck FreeDisk(StorageOptions storage)
    {
        try
        {
            var existing = storage.Directory;
            while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
            {
                existing = parent;
            }

            var drive = new DriveInfo(existing);
            var free = drive.AvailableFreeSpace;
            var detail = $"{Megabytes(free)} MB free on {drive.Name} (minimum {Megabytes(storage.MinFreeBytes)} MB)";
            return free >= storage.MinFreeBytes ? DoctorCheck.Ok("free disk", detail) : DoctorCheck.Fail("free disk", detail);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return DoctorCheck.Fail("free disk", $"cannot read free space for {storage.Directory}: {ex.Message}");
        }
    }

    public static async Task<DoctorCheck> ClockAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < EarliestPlausibleTime)
        {
            return DoctorCheck.Fail("clock", $"system time {now:u} is before {EarliestPlausibleTime:yyyy-MM-dd}: the clock was never set (check NTP or the RTC)");
        }

        var sync = await RunAsync("timedatectl", ["show", "--property=NTPSynchronized", "--value"], TimeSpan.FromSeconds(5), cancellationToken);
        return sync?.Output.Trim() switch
        {
            "yes" => DoctorCheck.Ok("clock", $"{now:u}, NTP synchronised"),
            "no" => DoctorCheck.Warn("clock", $"{now:u}, NOT synchronised by NTP: event times may drift"),
            _ => DoctorCheck.Ok("clock", $"{now:u} (NTP state unknown: timedatectl not available)"),
        };
    }

    private static long Megabytes(long bytes) => bytes / (1024 * 1024);

    internal sealed record ProcessResult(int ExitCode, string Output);

    /// <summary>Runs a short command and returns its exit code and output, or null when it cannot start or times out.</summary>
    internal static async Task<ProcessResult?> RunAsync(string file, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            process.StandardInput.Close();
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
            try
            {
                await process.WaitForExitAsync(timeoutSource.Token);
                return new ProcessResult(process.ExitCode, await stdout + await stderr);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
