namespace EdgeAnpr.Agent.Mqtt;

public enum MqttConnectionState
{
    /// <summary>Created; <see cref="MqttTransport.Start"/> not called yet.</summary>
    NotStarted,

    /// <summary>Trying to reach the broker for the first time (or again after the network thread was restarted).</summary>
    Connecting,

    /// <summary>The broker accepted the connection (CONNACK 0).</summary>
    Connected,

    /// <summary>The connection was lost or could not be made; retrying with back-off.</summary>
    Disconnected,

    /// <summary>
    /// The broker refused this client (bad user name or password, not authorised, client certificate rejected) or
    /// the broker's certificate did not verify. Still retried, but a person has to fix the configuration.
    /// </summary>
    Refused,

    /// <summary>Disposed.</summary>
    Stopped,
}

/// <summary>
/// A snapshot of the MQTT connection for the heartbeat, status lines and <c>doctor</c>.
/// <see cref="Reason"/> is one line saying why the connection is not up (null while connected);
/// <see cref="Since"/> when <see cref="State"/> was entered.
/// </summary>
public sealed record MqttConnectionStatus(
    MqttConnectionState State,
    string? Reason,
    DateTimeOffset Since,
    long Connects,
    long MessagesDropped)
{
    public bool IsConnected => State == MqttConnectionState.Connected;
}
