using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeAnpr.Bench;

/// <summary>CPU time of this process and of its reaped children (getrusage), and this process's peak RSS.</summary>
internal static partial class ResourceUsage
{
    private const int Self = 0;
    private const int Children = -1;

    /// <summary>User + system CPU of all children that have exited and been waited for (the ffmpeg runs).</summary>
    public static TimeSpan ChildrenCpu => Cpu(Children);

    public static TimeSpan SelfCpu => Cpu(Self);

    /// <summary>Peak resident set of the largest child so far, in bytes.</summary>
    public static long ChildrenMaxRss => Get(Children).MaxRssKilobytes * 1024;

    /// <summary>This process's peak resident set (VmHWM), in bytes.</summary>
    public static long PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg): how busy the machine was with other work.</summary>
    public static string LoadAverage() =>
        "load average " + string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>Resets VmHWM to the current RSS (proc(5), /proc/pid/clear_refs, value 5; Linux 4.0+).</summary>
    public static void ResetPeakRss() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static TimeSpan Cpu(int who)
    {
        var usage = Get(who);
        return TimeSpan.FromMicroseconds(((usage.UserSeconds + usage.SystemSeconds) * 1_000_000.0) + usage.UserMicroseconds + usage.SystemMicroseconds);
    }

    private static RUsage Get(int who) =>
        GetRUsage(who, out var usage) == 0 ? usage : throw new InvalidOperationException($"getrusage failed: {Marshal.GetLastPInvokeError()}");

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRUsage(int who, out RUsage usage);

    // struct rusage on 64-bit Linux (x86-64 and arm64): two timevals, then 14 longs.
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRssKilobytes;
        public long Ixrss;
        public long Idrss;
        public long Isrss;
        public long Minflt;
        public long Majflt;
        public long Nswap;
        public long Inblock;
        public long Oublock;
        public long Msgsnd;
        public long Msgrcv;
        public long Nsignals;
        public long Nvcsw;
        public long Nivcsw;
    }
}
