using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Watchlist;

internal static class WatchlistRegistration
{
    /// <summary>
    /// Adds the <see cref="WatchlistMatcher"/> the pipeline matches reads with (loaded when the host starts, reloaded on
    /// change), and, when <c>Mqtt:Host</c> is set, station sync: the trusted <see cref="StationKeys"/> (read when first
    /// resolved; a bad file stops start-up naming it), <see cref="WatchlistSync"/> and <see cref="WatchlistSyncService"/>.
    /// Needs AddStorage (<see cref="WatchlistStore"/>, <see cref="AuditLog"/>), AddMqtt (registered before this, so the
    /// connection service starts the transport), the options of <see cref="OptionsCatalog"/> and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddWatchlist(this IServiceCollection services, IConfiguration configuration)
    {
        var stationSync = !string.IsNullOrWhiteSpace(configuration[$"{MqttOptions.SectionName}:{nameof(MqttOptions.Host)}"]);
        services.AddSingleton(sp => WatchlistTolerance.From(sp.GetRequiredService<IOptions<WatchlistOptions>>().Value));
        services.AddSingleton(sp => new WatchlistMatcher(
            sp.GetRequiredService<WatchlistStore>(),
            sp.GetRequiredService<WatchlistTolerance>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WatchlistMatcher>>()));
        services.AddHostedService(sp => new WatchlistReloadService(
            sp.GetRequiredService<WatchlistMatcher>(),
            sp.GetRequiredService<WatchlistStore>(),
            sp.GetRequiredService<IOptions<WatchlistOptions>>().Value,
            stationSync,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WatchlistReloadService>>()));
        if (!stationSync)
        {
            return services;
        }

        services.AddSingleton(sp => StationKeys.Load(sp.GetRequiredService<IOptions<WatchlistOptions>>().Value.StationKeyFiles));
        services.AddSingleton(sp => new WatchlistSync(
            sp.GetRequiredService<IOptions<SiteOptions>>().Value.Id,
            sp.GetRequiredService<WatchlistStore>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<StationKeys>(),
            sp.GetRequiredService<IOptions<WatchlistOptions>>().Value,
            sp.GetRequiredService<WatchlistMatcher>(),
            sp.GetRequiredService<ILogger<WatchlistSync>>()));
        services.AddHostedService<WatchlistSyncService>();
        return services;
    }
}
