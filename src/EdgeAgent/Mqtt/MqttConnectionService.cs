using System.Text;
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
    private static readonly byte[] Online = Encoding.UTF8.GetBytes(MqttWill.OnlinePayload);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        transport.Start();
        try
        {
            await foreach (var status in transport.StatusChanges.ReadAllAsync(stoppingToken))
            {
                if (status.IsConnected)
                {
                    AnnounceOnline();
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

    private void AnnounceOnline()
    {
        try
        {
            transport.Publish(will.Topic, Online, will.Qos, retain: true);
        }
        catch (MqttException ex)
        {
            Log.AnnounceFailed(logger, will.Topic, ex.Message);
        }
    }
}
