using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>
/// Subscribes to the site's watchlist snapshot and delta topics (QoS 1: the broker keeps deltas for this box's
/// persistent session while it is offline) and hands each message to <see cref="WatchlistSync"/>. It is the one reader
/// of <see cref="MqttTransport.Messages"/>: the box subscribes to nothing else. Without a station key nothing can be
/// verified, so it does not subscribe at all and says so once (Error), every start.
/// </summary>
internal sealed class WatchlistSyncService(MqttTransport transport, WatchlistSync sync, WatchlistStore store, ILogger<WatchlistSyncService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up thread: a snapshot of 100,000 entries takes a while to store.
        await Task.Yield();
        var held = store.CurrentVersion?.Version;
        if (!sync.CanVerify)
        {
            Log.SyncRefused(logger, held, store.Count);
            return;
        }

        transport.Subscribe(sync.SnapshotTopic, MqttQos.AtLeastOnce);
        transport.Subscribe(sync.DeltaTopic, MqttQos.AtLeastOnce);
        Log.SyncStarted(logger, sync.SnapshotTopic, sync.DeltaTopic, string.Join(", ", sync.KeyIds), held);
        try
        {
            await foreach (var message in transport.Messages.ReadAllAsync(stoppingToken))
            {
                Step(message);
                if (!transport.Messages.TryPeek(out _))
                {
                    sync.ReloadIfApplied();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One message; whatever goes wrong is logged with its topic and the loop carries on.</summary>
    internal void Step(MqttMessage message)
    {
        try
        {
            sync.Handle(message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HandleFailed(logger, message.Topic, ex);
        }
    }
}
