namespace EdgeAnpr.Agent.Mqtt;

/// <summary>MQTT quality of service (MQTT 3.1.1 section 4.3).</summary>
public enum MqttQos
{
    /// <summary>At most once: no acknowledgement; lost if the connection is down.</summary>
    AtMostOnce = 0,

    /// <summary>At least once: acknowledged by PUBACK; resent until then (hits use this).</summary>
    AtLeastOnce = 1,

    /// <summary>Exactly once: the four-packet handshake. Not needed by this project.</summary>
    ExactlyOnce = 2,
}

/// <summary>The MQTT protocol version spoken to the broker (option <c>Mqtt:ProtocolVersion</c>).</summary>
public enum MqttProtocolVersion
{
    /// <summary>MQTT 3.1 (protocol level 3), for very old brokers only.</summary>
    V31 = 3,

    /// <summary>MQTT 3.1.1 (protocol level 4): the default, spoken by every broker the design names.</summary>
    V311 = 4,

    /// <summary>MQTT 5 (protocol level 5).</summary>
    V5 = 5,
}
