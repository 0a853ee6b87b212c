using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
    public async Task A_simulated_chip_wires_each_configured_part_at_start_and_switches_outputs_off_at_the_end()
    {
        var provider = Provider(
            ("Gpio:Enabled", "true"),
            ("Gpio:Chip", "simulated"),
            ("Gpio:Relay:Line", "17"),
            ("Gpio:LoopDetector:Line", "22"));
        var chip = (SimulatedGpioChip)provider.GetRequiredService<GpioChip>();

        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        Assert.True(chip.IsRequested(17));
        Assert.True(chip.IsRequested(22));
        Assert.Null(provider.GetService<StatusLed>());
        var relay = provider.GetRequiredService<HitSignal>();
        relay.Pulse(1);
        Assert.True(chip.IsHigh(17));
        Assert.False(provider.GetRequiredService<LoopDetector>().VehiclePresent);

        foreach (var service in provider.GetServices<IHostedService>().Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }

        await provider.DisposeAsync();
        Assert.False(chip.IsHigh(17));
        Assert.Throws<ObjectDisposedException>(() => chip.Read(17));
    }

    [Fact]
    public async Task A_missing_chip_stops_start_up_with_its_message()
    {
        await using var provider = Provider(("Gpio:Enabled", "true"), ("Gpio:Chip", "/dev/gpiochip99"), ("Gpio:Relay:Line", "17"));

        var ex = await Assert.ThrowsAsync<GpioException>(async () =>
        {
            foreach (var service in provider.GetServices<IHostedService>())
            {
                await service.StartAsync(CancellationToken.None);
            }
        });
        Assert.Contains("/dev/gpiochip99", ex.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Provider(params (string Key, string Value)[] values)
    {
        var configuration = Configuration(values);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        new OptionsEntry<GpioOptions, GpioOptionsValidator>(GpioOptions.SectionName).Register(services, configuration);
        services.AddHardware(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
