using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Storage;

/// <summary>Registers the database and its stores; the container disposes them (closing their connections).</summary>
internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The database is opened (checked, moved aside if corrupt, migrated) when first resolved; resolve
    /// <see cref="Outbox"/> before the pipeline starts so a bad disk shows at start, not at the first hit.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp => AgentDatabase.Open(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AgentDatabase>>()));
        services.AddSingleton(sp => new Outbox(
            sp.GetRequiredService<AgentDatabase>(),
            sp.GetRequiredService<IOptions<OutboxOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Outbox>>()));
        services.AddSingleton(sp => new AuditLog(sp.GetRequiredService<AgentDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new WatchlistStore(sp.GetRequiredService<AgentDatabase>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
