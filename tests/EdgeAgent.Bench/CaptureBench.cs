using System.Diagnostics;
using System.Globalization;
using EdgeAnpr.Agent.Capture;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAnpr.Bench;

/// <summary>
/// Frames/s, CPU, allocations and memory of capture (FfmpegFrameSource + CaptureService + FrameQueue,
/// with a consumer that only disposes frames) against ffmpeg decoding the same clip to /dev/null on its
/// own, in the same run. Goals: within 10% of ffmpeg alone, 0 bytes allocated per frame, RSS under 80 MB.
/// </summary>
internal static class CaptureBench
{
    private const int Fps = 25;

    // Frames left out of the allocation count: the first (JIT, the ffmpeg header, the pool growing to
    // the size the consumer's pace needs) and the last (end of file) are not the steady state.
    private const int WarmUpFrames = 100;
    private const int TailFrames = 10;

    private static readonly (int Width, int Height)[] Sizes = [(1280, 720), (1920, 1080)];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = IntOption(args, "--runs", 3);
        var seconds = IntOption(args, "--seconds", 10);
        var noise = IntOption(args, "--noise", 0);
        var folder = StringOption(args, "--clips", Path.Combine(Path.GetTempPath(), "edgeanpr-bench"));

        Console.WriteLine($"capture: {seconds} s clips at {Fps} fps (testsrc2{(noise > 0 ? $", noise {noise}" : "")}, H.264), median of {runs} runs, {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        Console.WriteLine($"{"clip",-10} {"path",-18} {"frames",7} {"frames/s",9} {"vs alone",9} {"CPU s/1k fr",12} {"alloc B/fr",11} {"drops",6} {"pool",5} {"RSS MB",7}");
        foreach (var (width, height) in Sizes)
        {
            var clip = await MakeClipAsync(folder, width, height, seconds, noise);
            var frames = seconds * Fps;

            // Warm-up: JIT, page cache.
            await FfmpegAloneAsync(clip, frames);
            await CaptureAsync(clip, frames);

            var alone = new List<Measurement>();
            var ours = new List<Measurement>();
            for (var run = 0; run < runs; run++)
            {
                alone.Add(await FfmpegAloneAsync(clip, frames));
                ours.Add(await CaptureAsync(clip, frames));
            }

            var baseline = Median(alone);
            var capture = Median(ours);
            Print($"{width}x{height}", "ffmpeg alone", baseline, baseline);
            Print($"{width}x{height}", "ffmpeg + capture", capture, baseline);
        }

        Console.WriteLine();
        Console.WriteLine("frames/s: wall clock from start to the last frame, ffmpeg start-up included; CPU: this process and its ffmpeg child,");
        Console.WriteLine("user + system; alloc: GC.GetTotalAllocatedBytes over frames 100 to the end, pool grown to its bound (queue + 2) first;");
        Console.WriteLine("pool: frame buffers ever made;");
        Console.WriteLine($"RSS: this process's peak (VmHWM) during the worst run, ffmpeg not included (largest ffmpeg child: {ResourceUsage.ChildrenMaxRss / 1048576.0:0.0} MB).");
        return 0;
    }

    private static async Task<Measurement> FfmpegAloneAsync(string clip, int frames)
    {
        var info = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in (string[])["-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-i", clip, "-an", "-f", "rawvideo", "-pix_fmt", "gray", "-y", "/dev/null"])
        {
            info.ArgumentList.Add(argument);
        }

        var cpuBefore = ResourceUsage.ChildrenCpu;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        clock.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed on {clip}: {errors}");
        }

        return new Measurement(frames, clock.Elapsed, ResourceUsage.ChildrenCpu - cpuBefore, double.NaN, 0, 0, 0);
    }

    private static async Task<Measurement> CaptureAsync(string clip, int frames)
    {
        // Start each run from a clean heap and a reset high-water mark, so the peak RSS is this run's
        // (earlier runs' pools are garbage; the service keeps one pool per camera).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ResourceUsage.ResetPeakRss();
        var queue = new FrameQueue();
        var service = new CaptureService(CameraSource.Parse(clip), new CaptureOptions(), pace: false, queue, TimeProvider.System, NullLogger<CaptureService>.Instance);

        var cpuBefore = ResourceUsage.SelfCpu + ResourceUsage.ChildrenCpu;
        var clock = Stopwatch.StartNew();
        var consumer = ConsumeAsync(queue, service, frames);
        await service.RunAsync(CancellationToken.None);
        var allocatedPerFrame = await consumer;
        clock.Stop();
        var cpu = ResourceUsage.SelfCpu + ResourceUsage.ChildrenCpu - cpuBefore;

        return new Measurement((int)service.Frames, clock.Elapsed, cpu, allocatedPerFrame, queue.Dropped, service.Pool?.Allocated ?? 0, ResourceUsage.PeakRss());
    }

    // Disposes every frame; measures what the whole process allocated per captured frame between two
    // marks inside the run (GC.GetTotalAllocatedBytes counts every thread, which async work needs).
    private static async Task<double> ConsumeAsync(FrameQueue queue, CaptureService service, int expectedFrames)
    {
        await Task.Yield();
        (long Frames, long Bytes)? start = null;
        (long Frames, long Bytes)? end = null;
        var grown = false;
        await foreach (var frame in queue.Reader.ReadAllAsync())
        {
            var sequence = frame.Sequence;
            frame.Dispose();
            if (!grown)
            {
                GrowPool(service.Pool!, queue.Capacity + 2);
                grown = true;
            }

            if (start is null && sequence >= WarmUpFrames)
            {
                start = (service.Frames, GC.GetTotalAllocatedBytes(precise: true));
            }
            else if (end is null && sequence >= expectedFrames - TailFrames)
            {
                end = (service.Frames, GC.GetTotalAllocatedBytes(precise: true));
            }
        }

        return start is { } s && end is { } e && e.Frames > s.Frames ? (e.Bytes - s.Bytes) / (double)(e.Frames - s.Frames) : double.NaN;
    }

    // The pool grows lazily to what the consumer's pace needs, at most the queue's capacity + the frame
    // the consumer holds + the one being filled. On a busy machine a late stall can grow it inside the
    // measured window, which would show as one 1-2 MB buffer spread over the frames; growing it to that
    // bound up front leaves only what each frame costs.
    private static void GrowPool(FramePool pool, int frames)
    {
        var rented = new List<Frame>();
        while (pool.Allocated < frames)
        {
            rented.Add(pool.Rent());
        }

        rented.ForEach(f => f.Dispose());
    }

    private static async Task<string> MakeClipAsync(string folder, int width, int height, int seconds, int noise)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"testsrc2-{width}x{height}-{Fps}fps-{seconds}s-noise{noise}.mp4");
        if (File.Exists(path))
        {
            return path;
        }

        var source = $"testsrc2=size={width}x{height}:rate={Fps}" + (noise > 0 ? $",noise=alls={noise}:allf=t" : "");
        var partial = path + ".partial.mp4";
        var info = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in (string[])["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", seconds.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", partial])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make {path}: {errors}");
        }

        File.Move(partial, path, overwrite: true);
        return path;
    }

    private static void Print(string clip, string path, Measurement m, Measurement baseline)
    {
        var ratio = m.FramesPerSecond / baseline.FramesPerSecond;
        var alloc = double.IsNaN(m.AllocatedPerFrame) ? "-" : m.AllocatedPerFrame.ToString("0.0", CultureInfo.InvariantCulture);
        var relative = ReferenceEquals(m, baseline) ? "-" : ratio.ToString("0%", CultureInfo.InvariantCulture);
        var pool = m.PoolFrames > 0 ? m.PoolFrames.ToString(CultureInfo.InvariantCulture) : "-";
        var drops = ReferenceEquals(m, baseline) ? "-" : m.Dropped.ToString(CultureInfo.InvariantCulture);
        var rss = m.PeakRss > 0 ? (m.PeakRss / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{clip,-10} {path,-18} {m.Frames,7} {m.FramesPerSecond,9:0.0} {relative,9} {m.Cpu.TotalSeconds * 1000 / m.Frames,12:0.00} {alloc,11} {drops,6} {pool,5} {rss,7}"));
    }

    // Each figure's own median: one run slowed by a neighbour's build should not pick every column.
    private static Measurement Median(List<Measurement> runs) => new(
        runs[0].Frames,
        Middle(runs.Select(r => r.Wall)),
        Middle(runs.Select(r => r.Cpu)),
        Middle(runs.Select(r => r.AllocatedPerFrame)),
        Middle(runs.Select(r => r.Dropped)),
        runs.Max(r => r.PoolFrames),
        runs.Max(r => r.PeakRss));

    private static T Middle<T>(IEnumerable<T> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        int.TryParse(StringOption(args, name, null), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string StringOption(string[] args, string name, string? fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback!;
    }

    private sealed record Measurement(int Frames, TimeSpan Wall, TimeSpan Cpu, double AllocatedPerFrame, long Dropped, int PoolFrames, long PeakRss)
    {
        public double FramesPerSecond => Frames / Wall.TotalSeconds;
    }
}
