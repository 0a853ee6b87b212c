using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// The relay or beacon that tells the officers at the roadside about a watchlist hit (<c>Gpio:Relay</c>). Each hit
/// turns it on for its priority's length; a hit while it is on keeps it on until the longest of the pulses ends, so
/// overlapping hits never cut each other short. <see cref="Pulse"/> never blocks and never throws: the beacon is a
/// courtesy next to the report to the station, and a GPIO fault is logged, not passed to the hit's caller.
/// </summary>
/// <remarks>
/// A pulse is a write and a timer on the injected clock (System.Device.Gpio has no pulse of its own). Owns its timer; the
/// controller is the caller's. Disposing switches the relay off.
/// </remarks>
public sealed class HitSignal : IDisposable
{
    private readonly GpioLine _line;
    private readonly Func<int, TimeSpan> _lengthFor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private bool _on;
    private long _onSince;
    private TimeSpan _onFor;
    private bool _disposed;

    /// <param name="gpio">The controller of the chip the relay is wired to; opens <paramref name="relay"/>'s line, driven off.</param>
    /// <param name="relay">The relay's line and polarity.</param>
    /// <param name="lengthFor">The pulse length of a priority (<see cref="GpioOptions.PulseFor"/>).</param>
    /// <param name="time">The clock of the pulses.</param>
    /// <param name="logger">Where pulses and faults are logged.</param>
    /// <exception cref="GpioException">The line cannot be opened; the message names <c>Gpio:Relay</c>.</exception>
    public HitSignal(GpioController gpio, GpioOutputOptions relay, Func<int, TimeSpan> lengthFor, TimeProvider time, ILogger<HitSignal> logger)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(time);
        _lengthFor = lengthFor;
        _time = time;
        _logger = logger;
        _line = GpioLine.OpenOutput(gpio, relay.Line, relay.ActiveLow, active: false, "Gpio:Relay");
        _timer = time.CreateTimer(static s => ((HitSignal)s!).Expire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Log.PartWired(logger, "relay", relay.Line, relay.ActiveLow);
    }

    /// <summary>True while the relay is on.</summary>
    public bool IsOn
    {
        get
        {
            lock (_gate)
            {
                return _on;
            }
        }
    }

    /// <summary>Switches the relay on for <paramref name="priority"/>'s length, or keeps it on that much longer when it already is.</summary>
    public void Pulse(int priority)
    {
        var length = _lengthFor(priority);
        TimeSpan extra;
        bool switchedOn;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var elapsed = _on ? _time.GetElapsedTime(_onSince) : TimeSpan.Zero;
            extra = elapsed + length - _onFor;
            if (_on && extra <= TimeSpan.Zero)
            {
                return;
            }

            switchedOn = !_on;
            if (switchedOn)
            {
                if (!Drive(true))
                {
                    return;
                }

                _on = true;
                _onSince = _time.GetTimestamp();
                _onFor = length;
            }
            else
            {
                _onFor = elapsed + length;
            }

            _timer.Change(length, Timeout.InfiniteTimeSpan);
        }

        if (switchedOn)
        {
            Log.RelayOn(_logger, length, priority);
        }
        else
        {
            Log.RelayExtended(_logger, extra, priority);
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
            if (_on)
            {
                _on = false;
                Drive(false);
            }
        }
    }

    private void Expire()
    {
        TimeSpan heldFor;
        lock (_gate)
        {
            if (_disposed || !_on)
            {
                return;
            }

            heldFor = _time.GetElapsedTime(_onSince);
            if (heldFor < _onFor)
            {
                _timer.Change(_onFor - heldFor, Timeout.InfiniteTimeSpan);
                return;
            }

            _on = false;
            Drive(false);
        }

        Log.RelayOff(_logger, heldFor);
    }

    /// <summary>Under the lock: sets the line; a fault is logged and reported as false.</summary>
    private bool Drive(bool on)
    {
        try
        {
            _line.Write(on);
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Log.OutputFailed(_logger, "relay", ex.Message);
            return false;
        }
    }
}
