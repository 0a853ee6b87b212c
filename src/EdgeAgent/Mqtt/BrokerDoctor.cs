using System.Net.Sockets;
using EdgeAnpr.Agent.Doctor;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// <c>doctor</c>'s network line for the broker: a plain TCP connect to <c>Mqtt:Host</c>:<c>Mqtt:Port</c>, bounded, so
/// that "the name does not resolve", "nothing listens there" and "a firewall swallows the packets" are told apart
/// before the MQTT line (<see cref="MqttDoctor"/>) reports what the broker itself said.
/// </summary>
internal static class BrokerDoctor
{
    public const string CheckName = "broker tcp";

    public static async Task<DoctorCheck> TcpAsync(MqttOptions options, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (!options.IsEnabled)
        {
            return DoctorCheck.Ok(CheckName, "not checked: MQTT is off (Mqtt:Host is empty)");
        }

        var endpoint = $"{options.Host}:{options.Port}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient();
        var started = time.GetTimestamp();
        try
        {
            await client.ConnectAsync(options.Host, options.Port, deadline.Token);
            return DoctorCheck.Ok(CheckName, $"{endpoint} accepts connections ({client.Client.RemoteEndPoint}, {time.GetElapsedTime(started).TotalMilliseconds:0} ms)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DoctorCheck.Fail(CheckName, $"{endpoint}: no answer within {timeout.TotalSeconds:0} s (a firewall, the network, or a wrong address?)");
        }
        catch (SocketException ex)
        {
            return DoctorCheck.Fail(CheckName, $"{endpoint}: {ConnectionProblem.FromException(ex, null, options.Host, options.ProtocolVersion).Reason}");
        }
    }
}
