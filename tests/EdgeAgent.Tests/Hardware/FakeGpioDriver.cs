using System.Device.Gpio;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary>One change of an output pin: its electrical level, and when (the test's clock).</summary>
internal readonly record struct PinChange(bool High, DateTimeOffset At);

/// <summary>
/// A GPIO chip in memory under a real <see cref="GpioController"/> (this machine has no GPIO). Outputs record each change
/// of level; a test puts levels on input pins with <see cref="SetPin"/>, which raises the edge callbacks as the libgpiod
/// drivers do, synchronously on the caller's thread. No debounce, no polarity: those are the agent's.
/// </summary>
internal sealed class FakeGpioDriver(TimeProvider time, int pinCount = 64) : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, bool> _levels = [];
    private readonly Dictionary<int, PinChangeEventHandler?> _callbacks = [];
    private readonly List<(int Pin, PinChange Change)> _changes = [];
    private readonly HashSet<int> _held = [];

    public bool IsOpen(int pin)
    {
        lock (_gate)
        {
            return _modes.ContainsKey(pin);
        }
    }

    public bool IsHigh(int pin)
    {
        lock (_gate)
        {
            return _levels.GetValueOrDefault(pin);
        }
    }

    /// <summary>The changes of one output, oldest first; opening it counts as its first.</summary>
    public IReadOnlyList<PinChange> ChangesOf(int pin)
    {
        lock (_gate)
        {
            return [.. _changes.Where(c => c.Pin == pin).Select(c => c.Change)];
        }
    }

    /// <summary>Another process holds <paramref name="pin"/> (the agent): opening it fails as libgpiod's request does, with EBUSY.</summary>
    public void Hold(int pin)
    {
        lock (_gate)
        {
            _held.Add(pin);
        }
    }

    /// <summary>Whether anyone listens to the edges of <paramref name="pin"/>.</summary>
    public bool HasCallback(int pin)
    {
        lock (_gate)
        {
            return _callbacks.GetValueOrDefault(pin) is not null;
        }
    }

    /// <summary>Puts a level on a pin, as the wiring would; an edge on a watched pin calls its callbacks.</summary>
    public void SetPin(int pin, bool high)
    {
        PinChangeEventHandler? callbacks;
        lock (_gate)
        {
            if (_levels.GetValueOrDefault(pin) == high)
            {
                return;
            }

            _levels[pin] = high;
            callbacks = _callbacks.GetValueOrDefault(pin);
        }

        callbacks?.Invoke(this, new PinValueChangedEventArgs(high ? PinEventTypes.Rising : PinEventTypes.Falling, pin));
    }

    protected override int PinCount => pinCount;

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            if (_held.Contains(pinNumber))
            {
                throw new IOException($"Error 16 requesting pin {pinNumber}: Device or resource busy");
            }

            _modes[pinNumber] = PinMode.Input;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _modes.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => SetPinMode(pinNumber, mode, PinValue.Low);

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        lock (_gate)
        {
            _modes[pinNumber] = mode;
            if (mode == PinMode.Output)
            {
                Drive(pinNumber, initialValue == PinValue.High);
            }
            else if (!_levels.ContainsKey(pinNumber))
            {
                // An undriven input floats to its pull resistor's level; without one, this model calls it low.
                _levels[pinNumber] = mode == PinMode.InputPullUp;
            }
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return _modes[pinNumber];
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => IsHigh(pinNumber) ? PinValue.High : PinValue.Low;

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            if (_levels.GetValueOrDefault(pinNumber) != (value == PinValue.High))
            {
                Drive(pinNumber, value == PinValue.High);
            }
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The agent listens with callbacks.");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            _callbacks[pinNumber] = _callbacks.GetValueOrDefault(pinNumber) + callback;
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            _callbacks[pinNumber] = _callbacks.GetValueOrDefault(pinNumber) - callback;
        }
    }

    private void Drive(int pin, bool high)
    {
        _levels[pin] = high;
        _changes.Add((pin, new PinChange(high, time.GetUtcNow())));
    }
}
