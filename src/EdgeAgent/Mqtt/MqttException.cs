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

    internal MqttException(string message, int errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>libmosquitto's <c>mosq_err_t</c>, when the failure came from it; 0 otherwise.</summary>
    public int ErrorCode { get; }

    /// <summary>True when the operation needed a connection and there was none (a QoS 0 publish while offline).</summary>
    public bool IsNotConnected => ErrorCode == MosquittoError.NoConnection;
}
