using System.Threading.Channels;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>One change of a simulated output: its logical value, the level at the pin, and when (the chip's clock).</summary>
public readonly record struct GpioOutputChange(int Line, bool Value, bool High, DateTimeOffset At);

/// <summary>
/// A GPIO chip in memory, for tests and for running the agent on a machine without GPIO (<c>Gpio:Chip</c>
/// <c>"simulated"</c>). Outputs keep a history of their changes, stamped by the injected clock. Inputs follow levels a
/// test drives onto their pins with <see cref="SetPin"/>, with polarity, edge selection and debounce applied as the
/// kernel applies them (<c>drivers/gpio/gpiolib-cdev.c</c>): every change of the pin restarts the debounce wait, and
/// when the wait ends the pin is sampled and an edge reported only if the level differs from the last one reported,
/// stamped at that moment. Debounce timers run on the injected clock, so a test moves time instead of sleeping.
/// </summary>
public sealed class SimulatedGpioChip : GpioChip
{
    /// <summary>Events buffered per line, as the kernel does for a one-line request; beyond that the oldest go.</summary>
    public const int EventBuffer = 16;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, bool> _pins = [];
    private readonly Dictionary<int, SimulatedLine> _lines = [];
    private readonly List<GpioOutputChange> _changes = [];
    private bool _disposed;

    /// <param name="time">The clock for output history, debounce and event timestamps.</param>
    /// <param name="lineCount">How many lines the chip has; default <see cref="GpioChip.MaxLines"/>.</param>
    /// <param name="name">The name used in messages.</param>
    public SimulatedGpioChip(TimeProvider time, int lineCount = MaxLines, string name = "simulated")
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lineCount);
        _time = time;
        LineCount = lineCount;
        Name = name;
    }

    public override string Name { get; }

    public override int LineCount { get; }

    /// <summary>Every change of every output, oldest first; requesting an output counts as its first change.</summary>
    public IReadOnlyList<GpioOutputChange> OutputChanges
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>The changes of one output, oldest first.</summary>
    public IReadOnlyList<GpioOutputChange> ChangesOf(int line) => [.. OutputChanges.Where(c => c.Line == line)];

    /// <summary>True when this chip's <paramref name="line"/> has been requested.</summary>
    public bool IsRequested(int line)
    {
        lock (_gate)
        {
            return _lines.ContainsKey(line);
        }
    }

    /// <summary>The electrical level of a pin: what an output drives, or what was last put on an input.</summary>
    public bool IsHigh(int line)
    {
        lock (_gate)
        {
            return _lines.TryGetValue(line, out var l) ? l.Pin : _pins.GetValueOrDefault(line);
        }
    }

    /// <summary>Puts a level on a pin, as the wiring would (a contact closing, an optocoupler conducting).</summary>
    public void SetPin(int line, bool high)
    {
        CheckLine(line);
        Action? emit = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pins[line] = high;
            if (!_lines.TryGetValue(line, out var l) || l.IsOutput || l.Pin == high)
            {
                return;
            }

            l.Pin = high;
            if (l.Debounce > TimeSpan.Zero)
            {
                l.Timer ??= _time.CreateTimer(static s => ((SimulatedLine)s!).Owner.DebounceEnded((SimulatedLine)s), l, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                l.Timer.Change(l.Debounce, Timeout.InfiniteTimeSpan);
            }
            else
            {
                emit = Settle(l);
            }
        }

        emit?.Invoke();
    }

    public override void OpenOutput(int line, bool value, bool activeLow = false)
    {
        CheckLine(line);
        lock (_gate)
        {
            var l = Add(line, new SimulatedLine(this, line) { IsOutput = true, ActiveLow = activeLow });
            l.Pin = value != activeLow;
            _pins[line] = l.Pin;
            _changes.Add(new GpioOutputChange(line, value, l.Pin, _time.GetUtcNow()));
        }
    }

    public override void OpenInput(int line, GpioInputSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CheckLine(line);
        lock (_gate)
        {
            // A pin nobody drives floats to its pull resistor's level; without one, this model calls it low.
            var pin = _pins.TryGetValue(line, out var driven) ? driven : settings.Bias == GpioBias.PullUp;
            var l = Add(line, new SimulatedLine(this, line)
            {
                ActiveLow = settings.ActiveLow,
                Edges = settings.Edges,
                Debounce = settings.Debounce,
                Pin = pin,
                Reported = pin,
                Events = settings.Edges == GpioEdges.None ? null : Channel.CreateBounded<GpioEdgeEvent>(
                    new BoundedChannelOptions(EventBuffer) { FullMode = BoundedChannelFullMode.DropOldest }),
            });
            _pins[line] = l.Pin;
        }
    }

    public override void Write(int line, bool value)
    {
        lock (_gate)
        {
            var l = Line(line);
            if (!l.IsOutput)
            {
                throw new InvalidOperationException($"GPIO line {line} of {Name} is an input.");
            }

            var pin = value != l.ActiveLow;
            if (pin != l.Pin)
            {
                l.Pin = pin;
                _pins[line] = pin;
                _changes.Add(new GpioOutputChange(line, value, pin, _time.GetUtcNow()));
            }
        }
    }

    public override bool Read(int line)
    {
        lock (_gate)
        {
            var l = Line(line);

            // A debounced input reads its debounced level, as the kernel's linereq_get_values does.
            return (l.IsOutput || l.Debounce <= TimeSpan.Zero ? l.Pin : l.Reported) != l.ActiveLow;
        }
    }

    public override ValueTask<GpioEdgeEvent> ReadEdgeAsync(int line, CancellationToken cancellationToken)
    {
        ChannelReader<GpioEdgeEvent> events;
        lock (_gate)
        {
            events = Line(line).Events?.Reader ?? throw new InvalidOperationException($"GPIO line {line} of {Name} was not requested with edge detection.");
        }

        return ReadAsync(events, line, cancellationToken);
    }

    private async ValueTask<GpioEdgeEvent> ReadAsync(ChannelReader<GpioEdgeEvent> events, int line, CancellationToken cancellationToken)
    {
        try
        {
            return await events.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException ex)
        {
            throw new GpioException($"GPIO line {line} of {Name} delivers no more events: the chip was closed.", ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var l in _lines.Values)
            {
                l.Timer?.Dispose();
                l.Events?.Writer.TryComplete();
            }
        }
    }

    private void DebounceEnded(SimulatedLine l)
    {
        Action? emit;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            emit = Settle(l);
        }

        emit?.Invoke();
    }

    /// <summary>Under the lock: takes the pin's level as the reported one; returns the edge to publish outside it, if any.</summary>
    private Action? Settle(SimulatedLine l)
    {
        if (l.Reported == l.Pin)
        {
            return null;
        }

        l.Reported = l.Pin;
        var active = l.Pin != l.ActiveLow;
        if (!l.Edges.HasFlag(active ? GpioEdges.Rising : GpioEdges.Falling))
        {
            return null;
        }

        // The sequence counts every event, so one dropped from a full buffer leaves a gap, as in the kernel.
        var e = new GpioEdgeEvent(l.Number, active ? GpioEdge.Rising : GpioEdge.Falling, _time.GetTimestamp(), ++l.Sequence);
        var writer = l.Events!.Writer;
        return () => writer.TryWrite(e);
    }

    private SimulatedLine Add(int line, SimulatedLine l)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_lines.TryAdd(line, l))
        {
            throw new GpioException($"GPIO line {line} of {Name} is already requested.");
        }

        return l;
    }

    private SimulatedLine Line(int line)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _lines.TryGetValue(line, out var l) ? l : throw new InvalidOperationException($"GPIO line {line} of {Name} has not been requested.");
    }

    private sealed class SimulatedLine(SimulatedGpioChip owner, int number)
    {
        public SimulatedGpioChip Owner { get; } = owner;

        public int Number { get; } = number;

        public bool IsOutput { get; init; }

        public bool ActiveLow { get; init; }

        public GpioEdges Edges { get; init; }

        public TimeSpan Debounce { get; init; }

        public Channel<GpioEdgeEvent>? Events { get; init; }

        /// <summary>The electrical level at the pin now.</summary>
        public bool Pin { get; set; }

        /// <summary>The (physical) level last reported, i.e. the debounced level.</summary>
        public bool Reported { get; set; }

        public ITimer? Timer { get; set; }

        public uint Sequence { get; set; }
    }
}
