using System.Text;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Tests.Mqtt;

/// <summary>Small helpers shared by the MQTT tests: start a transport, wait for a state, receive a message.</summary>
internal static class MqttTestKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static MqttTransport Start(MqttOptions options, ILogger logger, MqttWill? will = null)
    {
        var transport = MqttTransport.Create(options, options.ClientId, will, logger, TimeProvider.System);
        transport.Start();
        return transport;
    }

    public static async Task<MqttTransport> ConnectAsync(MqttOptions options, ILogger logger, MqttWill? will = null)
    {
        var transport = Start(options, logger, will);
        await transport.WaitForAsync(MqttConnectionState.Connected);
        return transport;
    }

    public static Task WaitForAsync(this MqttTransport transport, MqttConnectionState state, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => transport.Status.State == state, timeout ?? Timeout, $"MQTT state {state} (now {transport.Status.State}: {transport.Status.Reason})");

    /// <summary>Publishes and waits for the PUBACK (QoS 1) or the write (QoS 0), bounded by <see cref="Timeout"/>.</summary>
    public static async Task PublishAsync(this MqttTransport transport, string topic, byte[] payload, MqttQos qos = MqttQos.AtLeastOnce, bool retain = false)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await transport.PublishAsync(topic, payload, qos, retain, cancel.Token);
    }

    /// <summary>The next message matching <paramref name="match"/> (others are skipped).</summary>
    public static async Task<MqttMessage> ReceiveAsync(this MqttTransport transport, Func<MqttMessage, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            while (true)
            {
                var message = await transport.Messages.ReadAsync(cancel.Token);
                if (match is null || match(message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No matching MQTT message within {(timeout ?? Timeout).TotalSeconds:0} s.");
            throw;
        }
    }

    /// <summary>Subscribes and waits until the broker has the subscription, by receiving a probe through it.</summary>
    public static async Task SubscribeAndConfirmAsync(this MqttTransport subscriber, MqttTransport publisher, string topic, MqttQos qos = MqttQos.AtLeastOnce)
    {
        subscriber.Subscribe(topic, qos);
        var probe = Encoding.UTF8.GetBytes($"probe-{Guid.NewGuid():N}");
        using var cancel = new CancellationTokenSource(Timeout);
        while (true)
        {
            await publisher.PublishAsync(topic, probe, MqttQos.AtMostOnce);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
            attempt.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                while (true)
                {
                    var message = await subscriber.Messages.ReadAsync(attempt.Token);
                    if (message.Payload.Span.SequenceEqual(probe))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                // Not subscribed yet: probe again.
            }
        }
    }

    public static string Text(this MqttMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
