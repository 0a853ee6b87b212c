using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// A GPIO chip through the kernel's character device, uAPI v2 (<c>include/uapi/linux/gpio.h</c>; see DESIGN.md "GPIO"
/// for why not libgpiod 1.6). Each line is its own request (<c>GPIO_V2_GET_LINE_IOCTL</c> on the chip fd), so each has
/// its own line fd for values and, on inputs, a thread that polls it for edge events.
/// </summary>
internal sealed class LinuxGpioChip : GpioChip
{
    /// <summary>Events the kernel buffers per line (its default for one line is 16 too).</summary>
    private const int KernelEventBuffer = 16;

    private readonly int _fd;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, LinuxGpioLine> _lines = [];
    private bool _disposed;

    private LinuxGpioChip(int fd, string path, string label, int lineCount, TimeProvider time)
    {
        _fd = fd;
        Name = path;
        Label = label;
        LineCount = lineCount;
        _time = time;
    }

    public override string Name { get; }

    /// <summary>The kernel's name and label of the chip, e.g. <c>gpiochip0 [pinctrl-bcm2711]</c>.</summary>
    public string Label { get; }

    public override int LineCount { get; }

    public static unsafe LinuxGpioChip OpenDevice(string path, TimeProvider time)
    {
        var fd = LibC.Open(path, LibC.ORdWr | LibC.OCloExec);
        if (fd < 0)
        {
            throw OpenFailed(path, Marshal.GetLastPInvokeError());
        }

        GpioChipInfo info;
        if (LibC.Ioctl(fd, GpioUapi.GetChipInfoIoctl, &info) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new GpioException(
                $"'{path}' is not a GPIO chip ({LibC.Describe(errno)}): Gpio:Chip must name a /dev/gpiochipN (list them with `ls /dev/gpiochip*`).")
            { ErrorCode = errno };
        }

        var label = $"{Text(info.Name, GpioUapi.MaxNameSize)} [{Text(info.Label, GpioUapi.MaxNameSize)}]";
        return new LinuxGpioChip(fd, path, label, (int)Math.Min(info.Lines, int.MaxValue), time);
    }

    public override void OpenOutput(int line, bool value, bool activeLow = false)
    {
        var flags = GpioLineFlags.Output | (activeLow ? GpioLineFlags.ActiveLow : 0);
        Request(line, flags, value, TimeSpan.Zero, withEvents: false);
    }

    public override void OpenInput(int line, GpioInputSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var flags = InputFlags(settings);
        Request(line, flags, false, settings.Debounce, withEvents: settings.Edges != GpioEdges.None);
    }

    public override unsafe void Write(int line, bool value)
    {
        // Under the lock, so that Dispose cannot close the fd (and the number be reused) during the ioctl.
        lock (_gate)
        {
            var request = Line(line);
            if (!request.IsOutput)
            {
                throw new InvalidOperationException($"GPIO line {line} of {Name} is an input.");
            }

            var values = new GpioV2LineValues { Bits = value ? 1UL : 0UL, Mask = 1 };
            Ioctl(request.Fd, GpioUapi.LineSetValuesIoctl, &values, line, "set");
        }
    }

    public override unsafe bool Read(int line)
    {
        lock (_gate)
        {
            var values = new GpioV2LineValues { Mask = 1 };
            Ioctl(Line(line).Fd, GpioUapi.LineGetValuesIoctl, &values, line, "read");
            return (values.Bits & 1) != 0;
        }
    }

    public override ValueTask<GpioEdgeEvent> ReadEdgeAsync(int line, CancellationToken cancellationToken)
    {
        ChannelReader<GpioEdgeEvent> events;
        lock (_gate)
        {
            events = Line(line).Events ?? throw new InvalidOperationException($"GPIO line {line} of {Name} was not requested with edge detection.");
        }

        return ReadAsync(events, line, cancellationToken);
    }

    /// <summary>Converts a <c>CLOCK_MONOTONIC</c> event time to the injected clock's timestamps, by its age now.</summary>
    internal long ToTimestamp(ulong monotonicNs)
    {
        var ageNs = Math.Max(0, LibC.MonotonicNanoseconds() - (long)monotonicNs);
        return _time.GetTimestamp() - (long)(ageNs * (_time.TimestampFrequency / 1e9));
    }

    private async ValueTask<GpioEdgeEvent> ReadAsync(ChannelReader<GpioEdgeEvent> events, int line, CancellationToken cancellationToken)
    {
        try
        {
            return await events.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException ex)
        {
            throw new GpioException($"GPIO line {line} of {Name} delivers no more events: {ex.InnerException?.Message ?? "the chip was closed"}.", ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        LinuxGpioLine[] lines;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            lines = [.. _lines.Values];
            _lines.Clear();
        }

        foreach (var line in lines)
        {
            line.Dispose();
        }

        LibC.Close(_fd);
    }

    private unsafe void Request(int line, GpioLineFlags flags, bool value, TimeSpan debounce, bool withEvents)
    {
        CheckLine(line);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_lines.ContainsKey(line))
            {
                throw new GpioException($"GPIO line {line} of {Name} is already requested by this agent.");
            }

            var request = LineRequest(line, flags, value, debounce, withEvents);
            if (LibC.Ioctl(_fd, GpioUapi.GetLineIoctl, &request) < 0)
            {
                throw RequestFailed(line, flags, Marshal.GetLastPInvokeError());
            }

            _lines.Add(line, new LinuxGpioLine(this, line, request.Fd, flags.HasFlag(GpioLineFlags.Output), withEvents));
        }
    }

    /// <summary>The uAPI flags for an input as configured.</summary>
    internal static GpioLineFlags InputFlags(GpioInputSettings settings) =>
        GpioLineFlags.Input
        | (settings.ActiveLow ? GpioLineFlags.ActiveLow : 0)
        | (settings.Edges.HasFlag(GpioEdges.Rising) ? GpioLineFlags.EdgeRising : 0)
        | (settings.Edges.HasFlag(GpioEdges.Falling) ? GpioLineFlags.EdgeFalling : 0)
        | settings.Bias switch
        {
            GpioBias.Disabled => GpioLineFlags.BiasDisabled,
            GpioBias.PullUp => GpioLineFlags.BiasPullUp,
            GpioBias.PullDown => GpioLineFlags.BiasPullDown,
            _ => GpioLineFlags.None,
        };

    /// <summary>The <c>gpio_v2_line_request</c> for one line: flags for the line, and its initial value or debounce period as an attribute.</summary>
    internal static unsafe GpioV2LineRequest LineRequest(int line, GpioLineFlags flags, bool value, TimeSpan debounce, bool withEvents)
    {
        var request = default(GpioV2LineRequest);
        request.Offsets[0] = (uint)line;
        Encoding.ASCII.GetBytes(Consumer).CopyTo(new Span<byte>(request.Consumer, GpioUapi.MaxNameSize - 1));
        request.NumLines = 1;
        request.EventBufferSize = withEvents ? KernelEventBuffer : 0u;
        request.Config.Flags = flags;
        if (flags.HasFlag(GpioLineFlags.Output))
        {
            // The initial value goes with the request, so the pin never shows the wrong level in between.
            request.Config.Attrs[0] = new GpioV2LineConfigAttribute
            {
                Attr = new GpioV2LineAttribute { Id = GpioLineAttributeId.OutputValues, Values = value ? 1UL : 0UL },
                Mask = 1,
            };
            request.Config.NumAttrs = 1;
        }
        else if (debounce > TimeSpan.Zero)
        {
            var microseconds = (uint)Math.Min(debounce.Ticks / TimeSpan.TicksPerMicrosecond, uint.MaxValue);
            request.Config.Attrs[0] = new GpioV2LineConfigAttribute
            {
                Attr = new GpioV2LineAttribute { Id = GpioLineAttributeId.Debounce, DebouncePeriodUs = microseconds },
                Mask = 1,
            };
            request.Config.NumAttrs = 1;
        }

        return request;
    }

    /// <summary>Under the lock: the requested line.</summary>
    private LinuxGpioLine Line(int line)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _lines.TryGetValue(line, out var request)
            ? request
            : throw new InvalidOperationException($"GPIO line {line} of {Name} has not been requested.");
    }

    private unsafe void Ioctl(int fd, uint request, void* argument, int line, string what)
    {
        while (LibC.Ioctl(fd, request, argument) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EIntr)
            {
                throw new GpioException($"Cannot {what} GPIO line {line} of {Name}: {LibC.Describe(errno)}.") { ErrorCode = errno };
            }
        }
    }

    private GpioException RequestFailed(int line, GpioLineFlags flags, int errno) => new(errno switch
    {
        LibC.EBusy => $"GPIO line {line} of {Name} is in use by another program or a kernel driver (`gpioinfo {Path.GetFileName(Name)}` shows its consumer): pick a free line or release it.",
        LibC.EInval => $"{Name} refused GPIO line {line} as configured ({flags}): the chip may not support that bias or drive, or the line is reserved.",
        _ => $"Cannot request GPIO line {line} of {Name}: {LibC.Describe(errno)}.",
    })
    { ErrorCode = errno };

    private static GpioException OpenFailed(string path, int errno) => new(errno switch
    {
        LibC.ENoEnt or LibC.ENoDev =>
            $"GPIO chip '{path}' does not exist. List this machine's chips with `ls /dev/gpiochip*` (`gpiodetect` names them) and set Gpio:Chip; " +
            "the service user must be in the `gpio` group to open them. Without GPIO hardware, set Gpio:Enabled to false (or Gpio:Chip to \"simulated\").",
        LibC.EAcces or LibC.EPerm =>
            $"GPIO chip '{path}' may not be opened by this user ({LibC.Describe(errno)}): add the service user to the `gpio` group " +
            $"(`usermod -aG gpio edge-anpr`; systemd/60-edge-anpr-gpio.rules gives that group the chips), check `ls -l /dev/gpiochip*`, " +
            "and under systemd that the unit keeps `DeviceAllow=char-gpiochip rw`.",
        _ => $"Cannot open GPIO chip '{path}': {LibC.Describe(errno)}. List the chips with `ls /dev/gpiochip*`.",
    })
    { ErrorCode = errno };

    private static unsafe string Text(byte* chars, int size)
    {
        var span = new ReadOnlySpan<byte>(chars, size);
        var nul = span.IndexOf((byte)0);
        return Encoding.ASCII.GetString(nul >= 0 ? span[..nul] : span);
    }

    /// <summary>One requested line: its fd, and for an edge-detecting input the thread that reads its events.</summary>
    private sealed class LinuxGpioLine : IDisposable
    {
        private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(1);

        // The poll timeout bounds how long Dispose waits for the reader thread to notice it should stop.
        private const int PollTimeoutMs = 200;

        private readonly LinuxGpioChip _chip;
        private readonly int _line;
        private readonly Channel<GpioEdgeEvent>? _events;
        private readonly Thread? _reader;
        private volatile bool _stopping;

        public LinuxGpioLine(LinuxGpioChip chip, int line, int fd, bool isOutput, bool withEvents)
        {
            _chip = chip;
            _line = line;
            Fd = fd;
            IsOutput = isOutput;
            if (withEvents)
            {
                // Beyond the kernel's own buffer; when a reader falls this far behind the oldest go, and the gap in
                // LineSequence tells it so.
                _events = Channel.CreateBounded<GpioEdgeEvent>(new BoundedChannelOptions(64)
                {
                    FullMode = BoundedChannelFullMode.DropOldest,
                    SingleWriter = true,
                });
                _reader = new Thread(ReadEvents) { IsBackground = true, Name = $"gpio-line-{line}" };
                _reader.Start();
            }
        }

        public int Fd { get; }

        public bool IsOutput { get; }

        public ChannelReader<GpioEdgeEvent>? Events => _events?.Reader;

        public void Dispose()
        {
            _stopping = true;
            _reader?.Join(JoinTimeout);
            _events?.Writer.TryComplete();
            LibC.Close(Fd);
        }

        private unsafe void ReadEvents()
        {
            var buffer = stackalloc GpioV2LineEvent[KernelEventBuffer];
            try
            {
                while (!_stopping)
                {
                    var poll = new LibC.PollFd { Fd = Fd, Events = LibC.PollIn };
                    var ready = LibC.Poll(&poll, 1, PollTimeoutMs);
                    if (ready == 0 || (ready < 0 && Marshal.GetLastPInvokeError() == LibC.EIntr))
                    {
                        continue;
                    }

                    if (ready < 0 || (poll.Revents & LibC.PollIn) == 0)
                    {
                        throw new GpioException(ready < 0 ? LibC.Describe(Marshal.GetLastPInvokeError()) : $"poll reported 0x{poll.Revents:x}");
                    }

                    // The kernel hands out whole gpio_v2_line_event records, as many as fit.
                    var read = LibC.Read(Fd, buffer, (nuint)(sizeof(GpioV2LineEvent) * KernelEventBuffer));
                    if (read < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno is LibC.EIntr or LibC.EAgain)
                        {
                            continue;
                        }

                        throw new GpioException(LibC.Describe(errno)) { ErrorCode = errno };
                    }

                    for (var i = 0; i < read / sizeof(GpioV2LineEvent); i++)
                    {
                        var e = buffer[i];
                        var edge = e.Id == GpioV2LineEventId.RisingEdge ? GpioEdge.Rising : GpioEdge.Falling;
                        _events!.Writer.TryWrite(new GpioEdgeEvent(_line, edge, _chip.ToTimestamp(e.TimestampNs), e.LineSeqno));
                    }
                }
            }
            catch (GpioException ex)
            {
                // Nothing may escape a thread; a failure while stopping is the fd closing under it.
                _events!.Writer.TryComplete(_stopping ? null : ex);
            }
        }
    }
}
