using System.Device.Gpio;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Hardware;

public sealed class HitSignalTests : IDisposable
{
    private const int Line = 17;

    private readonly FakeTimeProvider _time = new();
    private readonly FakeGpioDriver _pins;
    private readonly GpioController _gpio;
    private readonly FakeLogger<HitSignal> _logger = new();
    private readonly DateTimeOffset _start;

    public HitSignalTests()
    {
        _pins = new FakeGpioDriver(_time);
        _gpio = new GpioController(_pins);
        _start = _time.GetUtcNow();
    }

    public void Dispose()
    {
        _gpio.Dispose();
        _logger.AssertNoErrors();
    }

    [Theory]
    [InlineData(1, 5000)]
    [InlineData(2, 2000)]
    [InlineData(3, 1000)]
    [InlineData(9, 1000)]
    public void A_hit_pulses_the_relay_for_its_prioritys_length(int priority, int milliseconds)
    {
        using var relay = Relay();

        relay.Pulse(priority);
        Assert.True(relay.IsOn);
        _time.AdvanceStepwise(TimeSpan.FromMilliseconds(milliseconds - 1));
        Assert.True(relay.IsOn);
        _time.AdvanceStepwise(TimeSpan.FromMilliseconds(1));

        Assert.False(relay.IsOn);
        Assert.Equal([(false, _start), (true, _start), (false, _start.AddMilliseconds(milliseconds))], Changes());
    }

    [Fact]
    public void An_overlapping_longer_pulse_extends_to_its_own_end()
    {
        using var relay = Relay();

        relay.Pulse(3);
        _time.AdvanceStepwise(TimeSpan.FromMilliseconds(500));
        relay.Pulse(1);
        _time.AdvanceStepwise(TimeSpan.FromSeconds(10));

        Assert.Equal([(false, _start), (true, _start), (false, _start.AddMilliseconds(5500))], Changes());
    }

    [Fact]
    public void A_shorter_pulse_inside_a_longer_one_does_not_cut_it_short()
    {
        using var relay = Relay();

        relay.Pulse(1);
        _time.AdvanceStepwise(TimeSpan.FromSeconds(1));
        relay.Pulse(3);
        _time.AdvanceStepwise(TimeSpan.FromSeconds(1.5));
        relay.Pulse(2);
        _time.AdvanceStepwise(TimeSpan.FromSeconds(10));

        Assert.Equal([(false, _start), (true, _start), (false, _start.AddSeconds(5))], Changes());
    }

    [Fact]
    public void A_hit_after_the_pulse_ended_starts_a_new_one()
    {
        using var relay = Relay();

        relay.Pulse(3);
        _time.AdvanceStepwise(TimeSpan.FromSeconds(2));
        relay.Pulse(3);
        _time.AdvanceStepwise(TimeSpan.FromSeconds(2));

        Assert.Equal(
            [(false, _start), (true, _start), (false, _start.AddSeconds(1)), (true, _start.AddSeconds(2)), (false, _start.AddSeconds(3))],
            Changes());
    }

    [Fact]
    public void An_active_low_relay_pulls_its_pin_low_while_on_and_is_off_after_dispose()
    {
        var relay = new HitSignal(_gpio, new GpioOutputOptions { Line = Line, ActiveLow = true }, new GpioOptions().PulseFor, _time, _logger);
        Assert.True(_pins.IsHigh(Line));

        relay.Pulse(1);
        Assert.False(_pins.IsHigh(Line));

        relay.Dispose();
        Assert.True(_pins.IsHigh(Line));
        relay.Pulse(1);
        Assert.True(_pins.IsHigh(Line));

        // No pulse timer outlives the relay: an hour of clock changes nothing.
        var changes = Changes().Count;
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(changes, Changes().Count);
    }

    [Fact]
    public void A_gpio_fault_is_logged_not_thrown_at_the_caller()
    {
        var logger = new FakeLogger<HitSignal>();
        using var relay = new HitSignal(_gpio, new GpioOutputOptions { Line = Line }, new GpioOptions().PulseFor, _time, logger);
        _gpio.Dispose();

        relay.Pulse(1);

        Assert.False(relay.IsOn);
        Assert.Contains(logger.Errors, e => e.Message.Contains("relay", StringComparison.Ordinal));
    }

    [Fact]
    public void A_line_the_chip_does_not_have_is_refused_naming_its_key()
    {
        var ex = Assert.Throws<GpioException>(() => new HitSignal(_gpio, new GpioOutputOptions { Line = 64 }, new GpioOptions().PulseFor, _time, _logger));

        Assert.Equal("Gpio:Relay:Line is 64, but the GPIO chip has lines 0 to 63 (`gpioinfo` lists them).", ex.Message);
    }

    private HitSignal Relay() => new(_gpio, new GpioOutputOptions { Line = Line }, new GpioOptions().PulseFor, _time, _logger);

    private List<(bool, DateTimeOffset)> Changes() => [.. _pins.ChangesOf(Line).Select(c => (c.High, c.At))];
}
