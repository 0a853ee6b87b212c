using System.Device.Gpio;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Hardware;

public sealed class StatusLedTests : IDisposable
{
    private const int Line = 27;

    private readonly FakeTimeProvider _time = new();
    private readonly FakeGpioDriver _pins;
    private readonly GpioController _gpio;
    private readonly FakeLogger<StatusLed> _logger = new();

    public StatusLedTests()
    {
        _pins = new FakeGpioDriver(_time);
        _gpio = new GpioController(_pins);
    }

    public void Dispose()
    {
        _gpio.Dispose();
        _logger.AssertNoErrors();
    }

    [Fact]
    public void Starting_blips_100_ms_every_second()
    {
        using var led = Led();

        Assert.Equal([(0, true), (100, false), (1000, true), (1100, false), (2000, true)], Record(TimeSpan.FromMilliseconds(2050)));
        Assert.Equal(StatusLedState.Starting, led.State);
    }

    [Fact]
    public void Running_is_steady_on()
    {
        using var led = Led();
        _time.AdvanceStepwise(TimeSpan.FromMilliseconds(300));
        var from = Mark();

        led.SetState(StatusLedState.Running);

        // Steady means no blink timer left running: a minute of clock changes nothing.
        Assert.Equal([(0, true)], Record(TimeSpan.FromMinutes(1), from));
    }

    [Fact]
    public void Camera_down_blinks_at_1_hz()
    {
        using var led = Led();
        led.SetState(StatusLedState.Running);
        var from = Mark();

        led.SetState(StatusLedState.CameraDown);

        Assert.Equal([(500, false), (1000, true), (1500, false), (2000, true)], Record(TimeSpan.FromMilliseconds(2100), from));
    }

    [Fact]
    public void Link_down_blinks_at_4_hz()
    {
        using var led = Led();
        led.SetState(StatusLedState.Running);
        var from = Mark();

        led.SetState(StatusLedState.LinkDown);

        Assert.Equal([(125, false), (250, true), (375, false), (500, true), (625, false), (750, true), (875, false), (1000, true)], Record(TimeSpan.FromSeconds(1), from));
    }

    [Fact]
    public void Setting_the_same_state_again_does_not_restart_its_pattern()
    {
        using var led = Led();
        led.SetState(StatusLedState.CameraDown);
        var from = Mark();

        for (var i = 0; i < 8; i++)
        {
            _time.AdvanceStepwise(TimeSpan.FromMilliseconds(125));
            led.SetState(StatusLedState.CameraDown);
        }

        Assert.Equal([(500, false), (1000, true)], Record(TimeSpan.Zero, from));
    }

    [Fact]
    public void An_active_low_led_is_lit_by_a_low_pin_and_dark_after_dispose()
    {
        var led = new StatusLed(_gpio, new GpioOutputOptions { Line = Line, ActiveLow = true }, _time, _logger);
        led.SetState(StatusLedState.Running);
        Assert.False(_pins.IsHigh(Line));

        led.Dispose();
        Assert.True(_pins.IsHigh(Line));
        Assert.Empty(Record(TimeSpan.FromMinutes(1), Mark()));
    }

    [Theory]
    [InlineData(false, false, false, StatusLedState.Starting)]
    [InlineData(true, false, false, StatusLedState.CameraDown)]
    [InlineData(true, true, false, StatusLedState.LinkDown)]
    [InlineData(true, true, true, StatusLedState.Running)]
    public void The_camera_outranks_the_link(bool started, bool cameraUp, bool linkUp, StatusLedState expected) =>
        Assert.Equal(expected, StatusLed.StateFor(started, cameraUp, linkUp));

    private StatusLed Led() => new(_gpio, new GpioOutputOptions { Line = Line }, _time, _logger);

    private (DateTimeOffset At, int Count) Mark() => (_time.GetUtcNow(), _pins.ChangesOf(Line).Count);

    /// <summary>Advances the clock and returns the (active-high) LED's changes since <paramref name="from"/> (default: all) as (ms after it, lit).</summary>
    private List<(int, bool)> Record(TimeSpan advance, (DateTimeOffset At, int Count)? from = null)
    {
        var (at, count) = from ?? (_time.GetUtcNow(), 0);
        _time.AdvanceStepwise(advance);
        return [.. _pins.ChangesOf(Line).Skip(count).Select(c => ((int)(c.At - at).TotalMilliseconds, c.High))];
    }
}
