using System.Globalization;
using EdgeAnpr.Agent.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAnpr.Agent.Station;

/// <summary>
/// Publishes one message for a station and waits for the broker's PUBACK: a throw-away MQTT client with a clean
/// session and its own client id (so it never takes over a box's or another station's session).
/// </summary>
internal static class StationPublisher
{
    /// <exception cref="MqttException">The broker refused the client or the message, or the connection dropped before the PUBACK.</exception>
    /// <exception cref="TimeoutException">No connection, or no PUBACK, within <paramref name="timeout"/>; the message names the last problem.</exception>
    public static async Task PublishAsync(
        MqttOptions options, string topic, byte[] payload, bool retain, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientId = string.Create(CultureInfo.InvariantCulture, $"edge-anpr-station-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        var transport = MqttTransport.Create(options, clientId, will: null, NullLogger.Instance, time);
        await using (transport)
        {
            transport.Start();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var stage = "connected";
            try
            {
                await foreach (var status in transport.StatusChanges.ReadAllAsync(deadline.Token))
                {
                    if (status.State == MqttConnectionState.Refused)
                    {
                        throw new MqttException($"{transport.Endpoint} refused the connection: {status.Reason}");
                    }

                    if (status.IsConnected)
                    {
                        break;
                    }
                }

                stage = "acknowledged";
                await transport.PublishAsync(topic, payload, MqttQos.AtLeastOnce, retain, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"{transport.Endpoint}: not {stage} within {timeout.TotalSeconds:0.#} s ({transport.Status.Reason ?? "no answer"})");
            }
        }
    }
}
