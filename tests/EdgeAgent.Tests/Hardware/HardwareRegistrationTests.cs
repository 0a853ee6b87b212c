using System.Device.Gpio;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Hardware;

public sealed class HardwareRegistrationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void With_gpio_off_nothing_is_registered()
    {
        var services = new ServiceCollection();
        services.AddHardware(Configuration(("Gpio:Relay:Line", "17")));
        Assert.Empty(services);
    }

    [Fact]
    public async Task Each_configured_part_is_wired_at_start_and_the_outputs_are_off_at_the_end()
    {
        var pins = new FakeGpioDriver(_time);
        using var gpio = new GpioController(pins);
        var provider = Provider(
            gpio,
            ("Gpio:Enabled", "true"),
            ("Gpio:Relay:Line", "17"),
            ("Gpio:LoopDetector:Line", "22"));

        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        Assert.True(pins.IsOpen(17));
        Assert.True(pins.IsOpen(22));
        Assert.False(pins.IsOpen(27));
        Assert.Null(provider.GetService<StatusLed>());
        var relay = provider.GetRequiredService<HitSignal>();
        relay.Pulse(1);
        Assert.True(pins.IsHigh(17));
        var loop = provider.GetRequiredService<LoopDetector>();
        pins.SetPin(22, true);
        _time.Advance(LoopDetectorOptions.DefaultDebounce);
        Assert.True(loop.VehiclePresent);

        foreach (var service in provider.GetServices<IHostedService>().Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }

        await provider.DisposeAsync();
        Assert.False(pins.IsHigh(17));

        // No timer outlives the host: an hour of clock changes no pin.
        var changes = pins.ChangesOf(17).Count;
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(changes, pins.ChangesOf(17).Count);
    }

    [Fact]
    public async Task A_box_without_chip_or_libgpiod_stops_start_up_with_one_line_naming_what_is_missing()
    {
        // The real LibGpiod.Open: this machine has no /dev/gpiochip99 (and, here, no libgpiod).
        await using var provider = Provider(null, ("Gpio:Enabled", "true"), ("Gpio:Chip", "/dev/gpiochip99"), ("Gpio:Relay:Line", "17"));

        var ex = await Assert.ThrowsAsync<GpioException>(async () =>
        {
            foreach (var service in provider.GetServices<IHostedService>())
            {
                await service.StartAsync(CancellationToken.None);
            }
        });
        Assert.Equal(LibGpiod.Missing("/dev/gpiochip99", LibGpiod.FindLibrary()), ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    private ServiceProvider Provider(GpioController? gpio, params (string Key, string Value)[] values)
    {
        var configuration = Configuration(values);
        var services = new ServiceCollection();
        if (gpio is not null)
        {
            // Registered first, it stands in for the chip AddHardware would open; the container does not dispose it.
            services.AddSingleton(gpio);
        }

        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        new OptionsEntry<GpioOptions, GpioOptionsValidator>(GpioOptions.SectionName).Register(services, configuration);
        services.AddHardware(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
