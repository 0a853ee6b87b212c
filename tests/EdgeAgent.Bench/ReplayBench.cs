using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Cli;

namespace EdgeAnpr.Bench;

/// <summary>
/// The whole pipeline on a 1920x1080 25 fps clip of vehicles passing (capture, motion gate, detector, reader,
/// tracking, one read line per pass): first as fast as it goes, in this process, for frames/s and CPU per frame;
/// then as a camera would deliver it (<c>--pace</c>) with the agent and its ffmpeg pinned to one core
/// (<c>taskset -c 0</c>), for whether it keeps up (frames dropped by the queue). Prints numbers; asserts nothing.
/// </summary>
internal static class ReplayBench
{
    private const int Fps = 25;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 20;
        var photo = Path.Combine(BenchFiles.SharedData, "br-scenes", "img", "GWT2180.jpg");
        if (!File.Exists(photo))
        {
            Console.WriteLine($"replay: skipped, {photo} is missing");
            return 1;
        }

        var clip = await MakeClipAsync(photo, seconds);
        Console.WriteLine($"replay: {clip} ({seconds} s, 1920x1080, {Fps} fps, a car passing every 1.8 s), {Environment.ProcessorCount} CPUs, load {ResourceUsage.LoadAverage()}");

        // Warm-up (JIT, page cache), then the measured run.
        await InProcessAsync(clip);
        var cpuBefore = ResourceUsage.SelfCpu;
        var childrenBefore = ResourceUsage.ChildrenCpu;
        var started = Stopwatch.GetTimestamp();
        var summary = await InProcessAsync(clip);
        var wall = Stopwatch.GetElapsedTime(started);
        var self = ResourceUsage.SelfCpu - cpuBefore;
        var ffmpeg = ResourceUsage.ChildrenCpu - childrenBefore;
        var frames = summary.GetProperty("frames").GetInt64();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  full speed: {frames} frames in {wall.TotalSeconds:F1} s = {frames / wall.TotalSeconds:F1} frames/s ({frames / wall.TotalSeconds / Fps:F2}x real time); detector ran on {summary.GetProperty("detectorRuns").GetInt64()} frames; {summary.GetProperty("reads").GetInt64()} reads"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  CPU per frame: agent {self.TotalMilliseconds / frames:F1} ms, ffmpeg decode {ffmpeg.TotalMilliseconds / frames:F1} ms, together {(self + ffmpeg).TotalMilliseconds / frames:F1} ms of the {1000.0 / Fps:F0} ms a frame lasts"));

        var paced = await PacedOnOneCoreAsync(clip);
        if (paced is { } p)
        {
            Console.WriteLine($"  paced, pinned to one core (taskset -c 0): {p.GetProperty("frames").GetInt64()} frames processed, {p.GetProperty("dropped").GetInt64()} dropped by the queue, {p.GetProperty("reads").GetInt64()} reads");
        }

        return 0;
    }

    private static async Task<JsonElement> InProcessAsync(string clip)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AgentCommandLine.InvokeAsync(["replay", clip, "--json", "--region", "latin"], output, error);
        if (code != 0)
        {
            throw new InvalidOperationException($"replay exited {code}: {error}");
        }

        return Summary(output.ToString());
    }

    private static async Task<JsonElement?> PacedOnOneCoreAsync(string clip)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-c", "0", "dotnet", Path.Combine(AppContext.BaseDirectory, "edge-anpr.dll"), "replay", clip, "--json", "--pace", "--region", "latin"])
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                Console.WriteLine($"  paced run failed ({process.ExitCode}): {error.Trim()}");
                return null;
            }

            return Summary(output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Console.WriteLine($"  paced run skipped: taskset cannot run ({ex.Message})");
            return null;
        }
    }

    private static JsonElement Summary(string output)
    {
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using var document = JsonDocument.Parse(last);
        return document.RootElement.Clone();
    }

    private static async Task<string> MakeClipAsync(string photo, int seconds)
    {
        var folder = Path.Combine(Path.GetTempPath(), "edgeanpr-bench");
        Directory.CreateDirectory(folder);
        var clip = Path.Combine(folder, $"passes-1080p-{seconds}s.mp4");
        if (File.Exists(clip))
        {
            return clip;
        }

        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-framerate", "25", "-i", photo, "-t", $"{seconds}",
            "-vf", "scale=2304:1080,crop=1920:1080:x='min(384,mod(t,1.8)*480)':y=0,drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='gte(mod(t,1.8),0.8)'",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "25", clip + ".part.mp4"])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make the clip: {errors}");
        }

        File.Move(clip + ".part.mp4", clip, overwrite: true);
        return clip;
    }
}
