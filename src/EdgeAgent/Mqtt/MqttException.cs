namespace EdgeAnpr.Agent.Mqtt;

/// <summary>An MQTT operation that failed; the message is one line naming the problem (and what to do, where known).</summary>
public sealed class MqttException : Exception
{
    public MqttException(string message)
        : base(message)
    {
    }

    public MqttException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public MqttException()
    {
    }

    internal MqttException(string message, bool notConnected, Exception? inner = null)
        : base(message, inner)
    {
        IsNotConnected = notConnected;
    }

    /// <summary>
    /// True when the operation needed a connection and there was none, or it dropped before the broker answered: the
    /// message may or may not have reached the broker, and is worth sending again once connected.
    /// </summary>
    public bool IsNotConnected { get; }
}
