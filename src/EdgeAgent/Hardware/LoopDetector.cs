using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>A vehicle arrived over the loop or left it.</summary>
/// <param name="VehiclePresent">True when a vehicle arrived.</param>
/// <param name="Timestamp">When the input settled at the new level, in <see cref="TimeProvider.GetTimestamp"/> units (comparable with <c>Frame.Timestamp</c>).</param>
/// <param name="At">The same moment as wall-clock time.</param>
public readonly record struct PresenceChange(bool VehiclePresent, long Timestamp, DateTimeOffset At);

/// <summary>
/// The inductive-loop detector (<c>Gpio:LoopDetector</c>): its dry contact is active while a vehicle stands or moves over
/// the loop. The kernel debounces the input, so a change counts once it has held for <c>Gpio:LoopDetector:Debounce</c>;
/// the kernel stamps it at the end of that wait, and this dates it that period earlier, to when the contact settled.
/// Frames ask <see cref="VehiclePresentAt"/> with their own timestamp, which stays right while frames wait in the queue.
/// </summary>
/// <remarks>The chip is the caller's. Runs as a hosted service; one reader may follow <see cref="Changes"/>.</remarks>
public sealed class LoopDetector : BackgroundService
{
    /// <summary>Presence changes kept for <see cref="VehiclePresentAt"/>: minutes of traffic, far more than frames wait.</summary>
    public const int HistoryLength = 64;

    /// <summary>Changes buffered for <see cref="Changes"/>; when its reader falls behind (or there is none) the oldest go.</summary>
    public const int ChangesCapacity = 64;

    /// <summary>Wait after a failed read before the next.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly GpioChip _chip;
    private readonly int _line;
    private readonly TimeSpan _debounce;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<PresenceChange> _history = new(HistoryLength);
    private readonly Channel<PresenceChange> _changes;
    private readonly bool _initial;
    private bool _present;
    private uint _lastSequence;
    private long _lostEvents;
    private long _droppedChanges;

    /// <param name="chip">The chip the detector is wired to; requests <paramref name="options"/>'s line as a debounced input.</param>
    /// <param name="options">The line, polarity, debounce and bias.</param>
    /// <param name="time">The clock events are stamped with.</param>
    /// <param name="logger">Where arrivals (debug) and faults are logged.</param>
    public LoopDetector(GpioChip chip, LoopDetectorOptions options, TimeProvider time, ILogger<LoopDetector> logger)
    {
        ArgumentNullException.ThrowIfNull(chip);
        ArgumentNullException.ThrowIfNull(options);
        _chip = chip;
        _line = options.Line;
        _debounce = options.Debounce;
        _time = time;
        _logger = logger;
        _changes = Channel.CreateBounded<PresenceChange>(
            new BoundedChannelOptions(ChangesCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ => Interlocked.Increment(ref _droppedChanges));
        chip.OpenInput(_line, new GpioInputSettings(options.ActiveLow, GpioEdges.Both, options.Debounce, options.Bias));
        _initial = _present = chip.Read(_line);
        Log.PartWired(logger, "loop detector", _line, chip.Name, options.ActiveLow);
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

    /// <summary>Edge events the kernel or the chip dropped before they were read (gaps in their sequence).</summary>
    public long LostEvents => Interlocked.Read(ref _lostEvents);

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop's catch: a fault is logged and the read tried again; nothing may end the loop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.LoopFailed(_logger, RetryDelay, ex);
                try
                {
                    await Task.Delay(RetryDelay, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Waits for the next edge on the loop's line and applies it.</summary>
    internal async Task StepAsync(CancellationToken cancellationToken)
    {
        var edge = await _chip.ReadEdgeAsync(_line, cancellationToken);
        Apply(edge);
    }

    private void Apply(GpioEdgeEvent edge)
    {
        var present = edge.Edge == GpioEdge.Rising;
        var timestamp = edge.Timestamp - (long)(_debounce.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        var change = new PresenceChange(present, timestamp, _time.GetUtcNow() - _time.GetElapsedTime(timestamp));
        long lost;
        bool changed;
        lock (_gate)
        {
            lost = _lastSequence != 0 && edge.LineSequence > _lastSequence + 1 ? edge.LineSequence - _lastSequence - 1 : 0;
            _lastSequence = edge.LineSequence;

            // After lost events the next may repeat the level already known; each event carries the new level.
            changed = present != _present;
            if (changed)
            {
                _present = present;
                if (_history.Count == HistoryLength)
                {
                    _history.Dequeue();
                }

                _history.Enqueue(change);
            }
        }

        if (lost > 0)
        {
            Interlocked.Add(ref _lostEvents, lost);
            Log.EventsLost(_logger, lost);
        }

        if (changed)
        {
            _changes.Writer.TryWrite(change);
            Log.Presence(_logger, present ? "arrived over" : "left");
        }
    }
}
