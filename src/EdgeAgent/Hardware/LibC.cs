using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// The few libc calls the GPIO character device needs. <c>"libc"</c> is mapped by the runtime to the C library itself
/// (libc.so.6 on Debian). Each returns -1 and sets errno on failure (read with <see cref="Marshal.GetLastPInvokeError"/>).
/// </summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int ORdWr = 0x2;
    public const int OCloExec = 0x80000;

    public const short PollIn = 0x1;
    public const short PollErr = 0x8;
    public const short PollHup = 0x10;
    public const short PollNval = 0x20;

    public const int ClockMonotonic = 1;

    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EAcces = 13;
    public const int EBusy = 16;
    public const int ENoDev = 19;
    public const int EInval = 22;
    public const int ENotTy = 25;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport(Library, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    // int ioctl(int fd, unsigned long request, ...): the one variadic argument is a pointer, passed like a fixed one on
    // the Linux ABIs of arm64, arm and x86-64.
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int ClockGetTime(int clock, TimeSpec* time);

    [LibraryImport(Library, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    /// <summary>The C library's text for an errno ("Device or resource busy").</summary>
    public static string Describe(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    /// <summary>CLOCK_MONOTONIC now, in nanoseconds: the clock of <c>gpio_v2_line_event.timestamp_ns</c>.</summary>
    public static long MonotonicNanoseconds()
    {
        TimeSpec now;
        return ClockGetTime(ClockMonotonic, &now) == 0 ? (now.Seconds * 1_000_000_000L) + now.Nanoseconds : 0;
    }
}
