using System.Device.Gpio;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary>The LED follows the box's condition as it changes, within one look.</summary>
public sealed class StatusLedServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GpioController _gpio;

    public StatusLedServiceTests() => _gpio = new GpioController(new FakeGpioDriver(_time));

    public void Dispose() => _gpio.Dispose();

    [Fact]
    public async Task The_led_shows_starting_then_camera_down_link_down_and_running_as_they_come()
    {
        using var led = new StatusLed(_gpio, new GpioOutputOptions { Line = 27 }, _time, new FakeLogger<StatusLed>());
        var condition = new BoxCondition(false, false, false);
        using var service = new StatusLedService(led, () => condition, _time);
        await service.StartAsync(CancellationToken.None);

        async Task<StatusLedState> After(BoxCondition next)
        {
            condition = next;
            _time.Advance(StatusLedService.Interval);
            await Wait.UntilAsync(() => led.State == StatusLed.StateFor(next.Started, next.CameraUp, next.LinkUp), TimeSpan.FromSeconds(5), $"the LED to show {next}");
            return led.State;
        }

        Assert.Equal(StatusLedState.Starting, led.State);
        Assert.Equal(StatusLedState.CameraDown, await After(new BoxCondition(true, false, true)));
        Assert.Equal(StatusLedState.LinkDown, await After(new BoxCondition(true, true, false)));
        Assert.Equal(StatusLedState.Running, await After(new BoxCondition(true, true, true)));
        await service.StopAsync(CancellationToken.None);
    }
}
