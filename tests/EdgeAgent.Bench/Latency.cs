using System.Diagnostics;

namespace EdgeAnpr.Bench;

/// <summary>Wall-clock times of repeated steps, in milliseconds, and their nearest-rank percentiles.</summary>
internal static class Latency
{
    /// <summary>Times <paramref name="step"/> <paramref name="runs"/> times after <paramref name="warmup"/> untimed calls; sorted.</summary>
    public static double[] Time(int runs, int warmup, Action<int> step) => Time(runs, warmup, step, out _);

    /// <summary>As <see cref="Time(int, int, Action{int})"/>, also giving the managed bytes this thread allocated per timed call.</summary>
    public static double[] Time(int runs, int warmup, Action<int> step, out double bytesPerRun)
    {
        for (var i = 0; i < warmup; i++)
        {
            step(i);
        }

        var times = new double[runs];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            step(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        bytesPerRun = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / runs;
        Array.Sort(times);
        return times;
    }

    /// <summary>The smallest value with at least <paramref name="fraction"/> of the values at or below it (nearest rank).</summary>
    public static double Percentile(double[] sorted, double fraction) =>
        sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
}
