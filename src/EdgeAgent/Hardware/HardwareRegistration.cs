using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Hardware;

internal static class HardwareRegistration
{
    /// <summary>
    /// Adds the GPIO parts when <c>Gpio:Enabled</c> is true, each only when its section is present: the
    /// <see cref="GpioChip"/> (<c>Gpio:Chip</c>, or a <see cref="SimulatedGpioChip"/> for <c>"simulated"</c>),
    /// <see cref="HitSignal"/> (<c>Gpio:Relay</c>), <see cref="StatusLed"/> (<c>Gpio:StatusLed</c>) and the
    /// <see cref="LoopDetector"/> (<c>Gpio:LoopDetector</c>, also a hosted service). With GPIO off nothing is registered,
    /// so consumers ask for the parts with <c>GetService</c>. A hosted service opens the chip and every part when the host
    /// starts, so a missing chip or a busy line stops start-up with its message. The container disposes the parts
    /// (outputs off) before the chip. Needs <see cref="GpioOptions"/> from OptionsCatalog and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddHardware(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(GpioOptions.SectionName);
        if (!bool.TryParse(section[nameof(GpioOptions.Enabled)], out var enabled) || !enabled)
        {
            return services;
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GpioOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            return options.Chip == GpioOptions.SimulatedChip ? new SimulatedGpioChip(time) : GpioChip.Open(options.Chip, time);
        });
        services.AddHostedService<GpioStartup>();

        if (section.GetSection(nameof(GpioOptions.Relay)).Exists())
        {
            services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<GpioOptions>>().Value;
                return new HitSignal(
                    sp.GetRequiredService<GpioChip>(), options.Relay!, options.PulseFor, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HitSignal>>());
            });
        }

        if (section.GetSection(nameof(GpioOptions.StatusLed)).Exists())
        {
            services.AddSingleton(sp => new StatusLed(
                sp.GetRequiredService<GpioChip>(),
                sp.GetRequiredService<IOptions<GpioOptions>>().Value.StatusLed!,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<StatusLed>>()));
        }

        if (section.GetSection(nameof(GpioOptions.LoopDetector)).Exists())
        {
            services.AddSingleton(sp => new LoopDetector(
                sp.GetRequiredService<GpioChip>(),
                sp.GetRequiredService<IOptions<GpioOptions>>().Value.LoopDetector!,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<LoopDetector>>()));
            services.AddHostedService(sp => sp.GetRequiredService<LoopDetector>());
        }

        return services;
    }

    /// <summary>Opens the chip and the parts at start-up (not at the first hit), and says what is wired where.</summary>
    private sealed class GpioStartup(IServiceProvider services, ILogger<GpioStartup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var chip = services.GetRequiredService<GpioChip>();
            if (chip is LinuxGpioChip linux)
            {
                Log.ChipOpened(logger, linux.Name, linux.Label, linux.LineCount);
            }
            else
            {
                Log.Simulated(logger);
            }

            services.GetService<HitSignal>();
            services.GetService<StatusLed>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
