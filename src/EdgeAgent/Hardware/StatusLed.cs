using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>What the status LED shows, most urgent last.</summary>
public enum StatusLedState
{
    /// <summary>Short blips (100 ms on, 900 ms off): the agent is starting and has read no frame yet.</summary>
    Starting,

    /// <summary>Steady on: frames are read and the station is reachable.</summary>
    Running,

    /// <summary>Fast blink, 4 Hz: the station cannot be reached; reads wait in the outbox.</summary>
    LinkDown,

    /// <summary>Slow blink, 1 Hz: no frames from the camera; nothing is being read.</summary>
    CameraDown,
}

/// <summary>
/// The status LED (<c>Gpio:StatusLed</c>): a state machine that plays each <see cref="StatusLedState"/>'s pattern on the
/// injected clock. Whoever watches the pipeline calls <see cref="SetState"/> (again and again is fine: only a change
/// restarts the pattern). Patterns are told apart by eye from across a road: steady, 1 Hz even, 4 Hz even, short blips.
/// </summary>
/// <remarks>Owns its timer; the controller is the caller's. Disposing switches the LED off.</remarks>
public sealed class StatusLed : IDisposable
{
    private static readonly TimeSpan[] Steady = [];
    private static readonly TimeSpan[] Blips = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(900)];
    private static readonly TimeSpan[] SlowBlink = [TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500)];
    private static readonly TimeSpan[] FastBlink = [TimeSpan.FromMilliseconds(125), TimeSpan.FromMilliseconds(125)];

    private readonly GpioLine _line;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private StatusLedState _state = StatusLedState.Starting;
    private int _step;
    private bool _failed;
    private bool _disposed;

    /// <param name="gpio">The controller of the chip the LED is wired to; opens <paramref name="led"/>'s line.</param>
    /// <param name="led">The LED's line and polarity.</param>
    /// <param name="time">The clock of the patterns.</param>
    /// <param name="logger">Where state changes and faults are logged.</param>
    /// <exception cref="GpioException">The line cannot be opened; the message names <c>Gpio:StatusLed</c>.</exception>
    public StatusLed(GpioController gpio, GpioOutputOptions led, TimeProvider time, ILogger<StatusLed> logger)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(led);
        ArgumentNullException.ThrowIfNull(time);
        _logger = logger;

        // Starts in Starting, on its first (lit) step.
        _line = GpioLine.OpenOutput(gpio, led.Line, led.ActiveLow, active: true, "Gpio:StatusLed");
        _timer = time.CreateTimer(static s => ((StatusLed)s!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(Blips[0], Timeout.InfiniteTimeSpan);
        Log.PartWired(logger, "status LED", led.Line, led.ActiveLow);
    }

    /// <summary>The state shown.</summary>
    public StatusLedState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>
    /// The state for the pipeline's condition: <see cref="StatusLedState.Starting"/> until the first frame, then the
    /// camera before the link (without frames nothing reaches the link anyway), else <see cref="StatusLedState.Running"/>.
    /// </summary>
    public static StatusLedState StateFor(bool started, bool cameraUp, bool linkUp) =>
        !started ? StatusLedState.Starting
        : !cameraUp ? StatusLedState.CameraDown
        : !linkUp ? StatusLedState.LinkDown
        : StatusLedState.Running;

    /// <summary>The on and off times of a state's pattern, starting lit; empty for steady on.</summary>
    public static IReadOnlyList<TimeSpan> PatternOf(StatusLedState state) => state switch
    {
        StatusLedState.Starting => Blips,
        StatusLedState.CameraDown => SlowBlink,
        StatusLedState.LinkDown => FastBlink,
        _ => Steady,
    };

    /// <summary>Shows <paramref name="state"/>, from the start of its pattern when it differs from the current one.</summary>
    public void SetState(StatusLedState state)
    {
        lock (_gate)
        {
            if (_disposed || state == _state)
            {
                return;
            }

            _state = state;
            _step = 0;
            Show();
        }

        Log.LedState(_logger, state);
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
            Drive(false);
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var pattern = PatternOf(_state);
            if (pattern.Count > 0)
            {
                _step = (_step + 1) % pattern.Count;
                Show();
            }
        }
    }

    /// <summary>Under the lock: lights the LED for the current step and schedules the next.</summary>
    private void Show()
    {
        var pattern = PatternOf(_state);
        Drive(pattern.Count == 0 || _step % 2 == 0);
        _timer.Change(pattern.Count == 0 ? Timeout.InfiniteTimeSpan : pattern[_step], Timeout.InfiniteTimeSpan);
    }

    private void Drive(bool on)
    {
        try
        {
            _line.Write(on);
            _failed = false;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // A blinking pattern would log this several times a second: once until it works again.
            if (!_failed)
            {
                _failed = true;
                Log.OutputFailed(_logger, "status LED", ex.Message);
            }
        }
    }
}
