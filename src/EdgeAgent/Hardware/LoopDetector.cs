using System.Device.Gpio;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>A vehicle arrived over the loop or left it.</summary>
/// <param name="VehiclePresent">True when a vehicle arrived.</param>
/// <param name="Timestamp">When the input settled at the new level, in <see cref="TimeProvider.GetTimestamp"/> units (comparable with <c>Frame.Timestamp</c>).</param>
/// <param name="At">The same moment as wall-clock time.</param>
public readonly record struct PresenceChange(bool VehiclePresent, long Timestamp, DateTimeOffset At);

/// <summary>
/// The inductive-loop detector (<c>Gpio:LoopDetector</c>): its dry contact is active while a vehicle stands or moves over
/// the loop. The input is debounced here, in software on the injected clock (libgpiod 1.x has no debounce, and
/// System.Device.Gpio none of its own): every edge restarts a <c>Gpio:LoopDetector:Debounce</c> wait, and when the wait
/// ends the line is read; a level that differs from the last one counts, dated at the last edge, when the contact
/// settled. Frames ask <see cref="VehiclePresentAt"/> with their own timestamp, which stays right while frames wait in
/// the queue.
/// </summary>
/// <remarks>
/// Edges arrive on the driver's event thread as <see cref="GpioController"/> callbacks; they carry no timestamp, so each
/// is stamped on arrival. The controller is the caller's; disposing stops listening.
/// </remarks>
public sealed class LoopDetector : IDisposable
{
    /// <summary>Presence changes kept for <see cref="VehiclePresentAt"/>: minutes of traffic, far more than frames wait.</summary>
    public const int HistoryLength = 64;

    /// <summary>Changes buffered for <see cref="Changes"/>; when its reader falls behind (or there is none) the oldest go.</summary>
    public const int ChangesCapacity = 64;

    private readonly GpioController _gpio;
    private readonly GpioLine _line;
    private readonly TimeSpan _debounce;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private readonly PinChangeEventHandler _onEdge;
    private readonly Queue<PresenceChange> _history = new(HistoryLength);
    private readonly Channel<PresenceChange> _changes;
    private readonly bool _initial;
    private bool _present;
    private long _lastEdge;
    private bool _failed;
    private bool _disposed;
    private long _droppedChanges;

    /// <param name="gpio">The controller of the chip the detector is wired to; opens <paramref name="options"/>'s line as an input and listens to both edges.</param>
    /// <param name="options">The line, polarity, debounce and bias.</param>
    /// <param name="time">The clock of the debounce and of the changes' timestamps.</param>
    /// <param name="logger">Where arrivals (debug) and faults are logged.</param>
    /// <exception cref="GpioException">The line cannot be opened; the message names <c>Gpio:LoopDetector</c>.</exception>
    public LoopDetector(GpioController gpio, LoopDetectorOptions options, TimeProvider time, ILogger<LoopDetector> logger)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _gpio = gpio;
        _debounce = options.Debounce;
        _time = time;
        _logger = logger;
        _changes = Channel.CreateBounded<PresenceChange>(
            new BoundedChannelOptions(ChangesCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
            _ => Interlocked.Increment(ref _droppedChanges));
        _line = GpioLine.OpenInput(gpio, options.Line, options.ActiveLow, options.Bias, "Gpio:LoopDetector");
        _initial = _present = _line.Read();
        _timer = time.CreateTimer(static s => ((LoopDetector)s!).Settle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _onEdge = OnEdge;
        try
        {
            gpio.RegisterCallbackForPinValueChangedEvent(options.Line, PinEventTypes.Rising | PinEventTypes.Falling, _onEdge);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            _timer.Dispose();
            throw new GpioException($"Gpio:LoopDetector: edges of GPIO line {options.Line} cannot be watched ({ex.Message}).", ex);
        }

        Log.PartWired(logger, "loop detector", options.Line, options.ActiveLow);
    }

    /// <summary>True while a vehicle is over the loop.</summary>
    public bool VehiclePresent
    {
        get
        {
            lock (_gate)
            {
                return _present;
            }
        }
    }

    /// <summary>Presence changes as they happen, for one reader.</summary>
    public ChannelReader<PresenceChange> Changes => _changes.Reader;

    /// <summary>Changes dropped from <see cref="Changes"/> because nobody read them in time.</summary>
    public long DroppedChanges => Interlocked.Read(ref _droppedChanges);

    /// <summary>
    /// Whether a vehicle was over the loop at <paramref name="timestamp"/> (<see cref="TimeProvider.GetTimestamp"/> units,
    /// e.g. <c>Frame.Timestamp</c>), from the last <see cref="HistoryLength"/> changes.
    /// </summary>
    public bool VehiclePresentAt(long timestamp)
    {
        lock (_gate)
        {
            // Before the oldest change kept, the state was the opposite of that change; with none, it never changed.
            var present = _history.TryPeek(out var oldest) ? !oldest.VehiclePresent : _initial;
            foreach (var change in _history)
            {
                if (change.Timestamp > timestamp)
                {
                    break;
                }

                present = change.VehiclePresent;
            }

            return present;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
        }

        try
        {
            _gpio.UnregisterCallbackForPinValueChangedEvent(_line.Number, _onEdge);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The controller went first (or the line with it): nothing is listening any more either way.
        }

        _changes.Writer.TryComplete();
    }

    /// <summary>On the driver's event thread: notes when the edge came and (re)starts the debounce wait.</summary>
    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _lastEdge = _time.GetTimestamp();
            if (_debounce > TimeSpan.Zero)
            {
                _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Settle();
    }

    /// <summary>The input has been quiet for the debounce time: reads the line and applies a changed level.</summary>
    private void Settle()
    {
        bool level;
        try
        {
            level = _line.Read();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Once until a read works again: a broken line would otherwise log at every bounce.
            if (!_failed)
            {
                _failed = true;
                Log.InputFailed(_logger, ex.Message);
            }

            return;
        }

        PresenceChange change;
        lock (_gate)
        {
            _failed = false;
            if (_disposed || level == _present)
            {
                return;
            }

            _present = level;
            change = new PresenceChange(level, _lastEdge, _time.GetUtcNow() - _time.GetElapsedTime(_lastEdge));
            if (_history.Count == HistoryLength)
            {
                _history.Dequeue();
            }

            _history.Enqueue(change);
        }

        _changes.Writer.TryWrite(change);
        Log.Presence(_logger, level ? "arrived over" : "left");
    }
}
