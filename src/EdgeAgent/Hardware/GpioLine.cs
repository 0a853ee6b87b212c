using System.Device.Gpio;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// One line of a <see cref="GpioController"/> in the parts' terms: <c>true</c> is active, and an active-low line is
/// active while its pin is low. System.Device.Gpio has no active-low flag, so the polarity is applied here, both ways.
/// Errors name the configuration key the line comes from.
/// </summary>
/// <remarks>The controller owns the pin: disposing the controller closes it.</remarks>
internal sealed class GpioLine
{
    private readonly GpioController _controller;

    private GpioLine(GpioController controller, int number, bool activeLow, string key)
    {
        _controller = controller;
        Number = number;
        ActiveLow = activeLow;
        Key = key;
    }

    public int Number { get; }

    public bool ActiveLow { get; }

    /// <summary>The configuration section the line comes from, e.g. <c>Gpio:Relay</c>.</summary>
    public string Key { get; }

    /// <summary>Opens an output already driven to <paramref name="active"/>: the initial value goes with the request, so the pin does not glitch.</summary>
    public static GpioLine OpenOutput(GpioController controller, int number, bool activeLow, bool active, string key)
    {
        var line = new GpioLine(controller, number, activeLow, key);
        line.Open(PinMode.Output, () => controller.OpenPin(number, PinMode.Output, line.Level(active)));
        return line;
    }

    /// <summary>Opens an input with a pull resistor as <paramref name="bias"/> says.</summary>
    public static GpioLine OpenInput(GpioController controller, int number, bool activeLow, GpioBias bias, string key)
    {
        var line = new GpioLine(controller, number, activeLow, key);
        var mode = bias switch
        {
            GpioBias.PullUp => PinMode.InputPullUp,
            GpioBias.PullDown => PinMode.InputPullDown,
            _ => PinMode.Input,
        };
        line.Open(mode, () => controller.OpenPin(number, mode));
        return line;
    }

    /// <summary>The line's logical value.</summary>
    public bool Read() => (_controller.Read(Number) == PinValue.High) != ActiveLow;

    /// <summary>Sets an output's logical value.</summary>
    public void Write(bool active) => _controller.Write(Number, Level(active));

    private PinValue Level(bool active) => active != ActiveLow ? PinValue.High : PinValue.Low;

    private void Open(PinMode mode, Action open)
    {
        var count = _controller.PinCount;
        if (Number >= count)
        {
            throw new GpioException($"{Key}:Line is {Number}, but the GPIO chip has lines 0 to {count - 1} (`gpioinfo` lists them).");
        }

        if (!_controller.IsPinModeSupported(Number, mode))
        {
            // libgpiod before 1.5 cannot set a pull resistor.
            throw new GpioException($"{Key}: line {Number} cannot be opened as {mode} with this libgpiod; set {Key}:Bias to AsIs and pull the line on the board.");
        }

        try
        {
            open();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            throw new GpioException(
                $"{Key}: GPIO line {Number} cannot be opened as {mode} ({ex.Message}); another program or a kernel driver may hold it (`gpioinfo` shows its consumer).",
                ex);
        }
    }
}
