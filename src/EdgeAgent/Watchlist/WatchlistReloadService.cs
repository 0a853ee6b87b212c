using EdgeAnpr.Agent.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>
/// Loads the match index when the host starts (so the first vehicle is matched against the whole list), then every
/// <see cref="WatchlistOptions.ReloadCheckInterval"/> reloads it if another process (<c>edge-anpr watchlist import</c>)
/// changed the list. Station syncs reload at once through <see cref="WatchlistSync"/>.
/// </summary>
internal sealed class WatchlistReloadService(
    WatchlistMatcher matcher, WatchlistStore store, WatchlistOptions options, bool stationSync, TimeProvider time, ILogger<WatchlistReloadService> logger)
    : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        matcher.Reload();
        if (!stationSync)
        {
            Log.NoMqtt(logger, store.CurrentVersion?.Version, matcher.Index.Count);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReloadCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Step();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check; a failure is logged and the old index kept.</summary>
    internal void Step()
    {
        try
        {
            matcher.ReloadIfChanged();
        }
        catch (Exception ex) when (ex is SqliteException or StorageException)
        {
            Log.ReloadFailed(logger, ex.Message);
        }
    }
}
