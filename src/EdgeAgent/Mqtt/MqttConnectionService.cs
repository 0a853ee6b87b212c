using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// Owns the MQTT connection for the life of the agent: starts the transport, announces retained <c>online</c> on the
/// camera's status topic every time the connection comes up (the broker publishes the retained <c>offline</c> will
/// when it goes down uncleanly, so a reconnect must say <c>online</c> again), and disposes the transport on
/// shutdown, which leaves <c>offline</c> behind. It is the one reader of <see cref="MqttTransport.StatusChanges"/>;
/// others read <see cref="MqttTransport.Status"/>.
/// </summary>
internal sealed class MqttConnectionService(MqttTransport transport, MqttWill will, ILogger<MqttConnectionService> logger) : BackgroundService
{
    /// <summary>How long the announcement waits for its PUBACK; a connection that drops meanwhile announces again when back.</summary>
    internal static readonly TimeSpan AnnounceTimeout = TimeSpan.FromSeconds(10);

    private static readonly ReadOnlyMemory<byte> Online = System.Text.Encoding.UTF8.GetBytes(MqttWill.OnlinePayload);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        transport.Start();
        try
        {
            await foreach (var status in transport.StatusChanges.ReadAllAsync(stoppingToken))
            {
                if (status.IsConnected)
                {
                    await AnnounceOnlineAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await transport.DisposeAsync();
    }

    private async Task AnnounceOnlineAsync(CancellationToken stoppingToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(AnnounceTimeout);
        try
        {
            await transport.PublishAsync(will.Topic, Online, will.Qos, retain: true, deadline.Token);
        }
        catch (MqttException ex)
        {
            Log.AnnounceFailed(logger, will.Topic, ex.Message);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            Log.AnnounceFailed(logger, will.Topic, $"no PUBACK within {AnnounceTimeout.TotalSeconds:0} s");
        }
    }
}
