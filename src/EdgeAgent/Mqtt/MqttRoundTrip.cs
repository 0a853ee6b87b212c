using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>How an <c>mqtt test</c> went: where each step stopped, the times measured, and the TLS session when TLS is on.</summary>
internal sealed record MqttRoundTripResult(
    bool Connected, bool RoundTrip, string Endpoint, string ClientId, string Topic, MqttProtocolVersion Protocol,
    double? ConnectMilliseconds, double? RoundTripMilliseconds, int ProbesSent, TlsDetails? Tls, string? Problem);

/// <summary>
/// The broker tested end to end with the configured settings: connect (a clean session under the agent's client id
/// with <c>-test</c> appended, so the agent's own session is left alone), subscribe to a test topic, publish to it at
/// QoS 1 and receive the message back. MQTT has no way to know when a SUBSCRIBE has taken effect short of its SUBACK,
/// which the transport does not expose, so a probe goes out every <see cref="ProbeInterval"/> until one comes back;
/// the round trip is that probe's, from its publish to its arrival.
/// </summary>
internal static class MqttRoundTrip
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    /// <exception cref="MqttException">A file named in the options (CA, certificate, key, password) cannot be used.</exception>
    public static async Task<MqttRoundTripResult> RunAsync(MqttOptions options, string clientId, string topic, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var endpoint = string.Create(CultureInfo.InvariantCulture, $"{options.Host}:{options.Port}");
        var result = new MqttRoundTripResult(false, false, endpoint, clientId, topic, options.ProtocolVersion, null, null, 0, null, null);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);

        var probe = MqttDoctor.Copy(options);
        probe.CleanSession = true;
        await using var transport = MqttTransport.Create(probe, clientId, will: null, NullLogger.Instance, time);
        var started = time.GetTimestamp();
        transport.Start();
        try
        {
            await foreach (var status in transport.StatusChanges.ReadAllAsync(deadline.Token))
            {
                if (status.State == MqttConnectionState.Connected)
                {
                    break;
                }

                if (status.Reason is { } reason)
                {
                    // The first attempt failed: the reason is the answer; retrying with back-off is the agent's business.
                    return await WithTlsAsync(result with { Problem = reason }, options, timeout, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return result with { Problem = $"not connected within {timeout.TotalSeconds:0} s ({transport.Status.Reason ?? "no answer"})" };
        }

        result = result with { Connected = true, ConnectMilliseconds = time.GetElapsedTime(started).TotalMilliseconds };
        result = await WithTlsAsync(result, options, timeout, cancellationToken);
        transport.Subscribe(topic, MqttQos.AtLeastOnce);
        var sent = new Dictionary<string, long>();
        var receiving = transport.Messages.ReadAsync(deadline.Token).AsTask();
        try
        {
            while (true)
            {
                var payload = string.Create(CultureInfo.InvariantCulture, $"edge-anpr mqtt test {sent.Count + 1}");
                sent[payload] = time.GetTimestamp();
                await transport.PublishAsync(topic, Encoding.UTF8.GetBytes(payload), MqttQos.AtLeastOnce, retain: false, deadline.Token);
                var interval = Task.Delay(ProbeInterval, time, deadline.Token);
                while (await Task.WhenAny(receiving, interval) == receiving)
                {
                    var message = await receiving;
                    if (message.Topic == topic && sent.TryGetValue(Encoding.UTF8.GetString(message.Payload.Span), out var publishedAt))
                    {
                        return result with { RoundTrip = true, RoundTripMilliseconds = time.GetElapsedTime(publishedAt).TotalMilliseconds, ProbesSent = sent.Count };
                    }

                    receiving = transport.Messages.ReadAsync(deadline.Token).AsTask();
                }

                await interval;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return result with
            {
                ProbesSent = sent.Count,
                Problem = $"published {sent.Count} test message(s) to {topic}, none came back within {timeout.TotalSeconds:0} s: do the broker's access rules let this client subscribe to it?",
            };
        }
        catch (MqttException ex)
        {
            return result with { ProbesSent = sent.Count, Problem = $"publishing to {topic} failed: {ex.Message}" };
        }
        finally
        {
            // A read still waiting ends when the transport is disposed (channel completed): observe that, it is no error.
            _ = receiving.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>Adds the TLS session (or, when the connection failed, a TLS problem the handshake alone names better).</summary>
    private static async Task<MqttRoundTripResult> WithTlsAsync(MqttRoundTripResult result, MqttOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!options.UsesTls)
        {
            return result;
        }

        try
        {
            return result with { Tls = await TlsDetails.ReadAsync(options, timeout, cancellationToken) };
        }
        catch (MqttException ex) when (result.Connected)
        {
            return result with { Problem = $"connected, but a second TLS handshake failed: {ex.Message}" };
        }
        catch (MqttException)
        {
            return result;
        }
    }
}
