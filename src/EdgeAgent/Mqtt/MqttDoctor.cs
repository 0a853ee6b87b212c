using EdgeAnpr.Agent.Doctor;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// <c>doctor</c>'s MQTT lines: the MQTTnet version this build runs with, and a connection made once with the
/// configured settings, reporting what the broker said. The connection uses its own client id (<c>{id}-doctor</c>) and
/// a clean session, so it neither takes over nor disturbs the running service's persistent session.
/// </summary>
internal static class MqttDoctor
{
    public const string CheckName = "mqtt";

    /// <summary>The MQTTnet version this build runs with, as <c>doctor</c> reports it.</summary>
    public static string LibraryVersion => MqttNetTransport.LibraryVersion;

    /// <summary>The MQTT client library line: a managed package, so nothing to install on the box.</summary>
    public static DoctorCheck Library() => DoctorCheck.Ok("mqttnet", $"MQTTnet {LibraryVersion} (managed; no native MQTT library needed)");

    public static async Task<DoctorCheck> CheckAsync(MqttOptions options, string clientId, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!options.IsEnabled)
        {
            return DoctorCheck.Warn(CheckName, "off (Mqtt:Host is empty): hits stay on this box");
        }

        var probe = Copy(options);
        probe.CleanSession = true;
        MqttTransport transport;
        try
        {
            transport = MqttTransport.Create(probe, clientId + "-doctor", will: null, NullLogger.Instance, time);
        }
        catch (MqttException ex)
        {
            return DoctorCheck.Fail(CheckName, ex.Message);
        }

        await using (transport)
        {
            transport.Start();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await foreach (var status in transport.StatusChanges.ReadAllAsync(deadline.Token))
                {
                    switch (status.State)
                    {
                        case MqttConnectionState.Connected:
                            return DoctorCheck.Ok(CheckName, $"connected to {transport.Endpoint}{(options.UsesTls ? " over TLS" : "")}");
                        case MqttConnectionState.Refused:
                            return DoctorCheck.Fail(CheckName, $"{transport.Endpoint}: {status.Reason}");
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            return DoctorCheck.Fail(CheckName, $"{transport.Endpoint}: not connected within {timeout.TotalSeconds:0} s ({transport.Status.Reason ?? "no answer"})");
        }
    }

    internal static MqttOptions Copy(MqttOptions options) => new()
    {
        Host = options.Host,
        Port = options.Port,
        ClientId = options.ClientId,
        KeepAlive = options.KeepAlive,
        Tls = options.Tls,
        CaFile = options.CaFile,
        CertFile = options.CertFile,
        KeyFile = options.KeyFile,
        UserName = options.UserName,
        PasswordFile = options.PasswordFile,
        CleanSession = options.CleanSession,
        ReconnectDelay = options.ReconnectDelay,
        MaxReconnectDelay = options.MaxReconnectDelay,
        IncomingQueueCapacity = options.IncomingQueueCapacity,
        ProtocolVersion = options.ProtocolVersion,
    };
}
