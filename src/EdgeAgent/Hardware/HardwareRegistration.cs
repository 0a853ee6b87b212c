using System.Device.Gpio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Hardware;

internal static class HardwareRegistration
{
    /// <summary>
    /// Adds the GPIO parts when <c>Gpio:Enabled</c> is true, each only when its section is present: the
    /// <see cref="GpioController"/> of <c>Gpio:Chip</c> (<see cref="LibGpiod.Open"/>, unless one is registered already),
    /// <see cref="HitSignal"/> (<c>Gpio:Relay</c>), <see cref="StatusLed"/> (<c>Gpio:StatusLed</c>) and the
    /// <see cref="LoopDetector"/> (<c>Gpio:LoopDetector</c>). With GPIO off nothing is registered, no chip is opened and
    /// libgpiod is not needed, so consumers ask for the parts with <c>GetService</c>. A hosted service opens the chip and
    /// every part when the host starts, so a missing chip, a missing libgpiod or a busy line stops start-up with its
    /// one-line <see cref="GpioException"/>. The container disposes the parts (outputs off) before the controller. Needs
    /// <see cref="GpioOptions"/> from OptionsCatalog and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddHardware(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(GpioOptions.SectionName);
        if (!bool.TryParse(section[nameof(GpioOptions.Enabled)], out var enabled) || !enabled)
        {
            return services;
        }

        services.TryAddSingleton(sp => LibGpiod.Open(sp.GetRequiredService<IOptions<GpioOptions>>().Value.Chip));
        services.AddHostedService<GpioStartup>();

        if (section.GetSection(nameof(GpioOptions.Relay)).Exists())
        {
            services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<GpioOptions>>().Value;
                return new HitSignal(
                    sp.GetRequiredService<GpioController>(), options.Relay!, options.PulseFor, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HitSignal>>());
            });
        }

        if (section.GetSection(nameof(GpioOptions.StatusLed)).Exists())
        {
            services.AddSingleton(sp => new StatusLed(
                sp.GetRequiredService<GpioController>(),
                sp.GetRequiredService<IOptions<GpioOptions>>().Value.StatusLed!,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<StatusLed>>()));
        }

        if (section.GetSection(nameof(GpioOptions.LoopDetector)).Exists())
        {
            services.AddSingleton(sp => new LoopDetector(
                sp.GetRequiredService<GpioController>(),
                sp.GetRequiredService<IOptions<GpioOptions>>().Value.LoopDetector!,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<LoopDetector>>()));
        }

        return services;
    }

    /// <summary>Opens the chip and the parts at start-up (not at the first hit or frame), and says what runs the chip.</summary>
    private sealed class GpioStartup(IServiceProvider services, IOptions<GpioOptions> options, ILogger<GpioStartup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var controller = services.GetRequiredService<GpioController>();
            Log.ChipOpened(logger, options.Value.Chip, LibGpiod.Describe(controller));
            services.GetService<HitSignal>();
            services.GetService<StatusLed>();
            services.GetService<LoopDetector>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
