namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// A message received on a subscription. The payload is a copy made as it arrived, owned by the reader.
/// <see cref="Retained"/> is true when the broker sent it from its retained store (on subscribing), false for a
/// message forwarded live (MQTT 3.1.1 section 3.3.1.3).
/// </summary>
public sealed record MqttMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos, bool Retained);

/// <summary>
/// The last will the broker publishes for this client when the connection drops without a DISCONNECT (a dead box,
/// a cut cable; MQTT 3.1.1 section 3.1.2.5). For EdgeAnpr: retained <c>offline</c> on the camera's status topic.
/// </summary>
public sealed record MqttWill(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos = MqttQos.AtLeastOnce, bool Retain = true)
{
    public const string OfflinePayload = "offline";

    public const string OnlinePayload = "online";

    /// <summary>Retained <c>offline</c> at QoS 1 on <paramref name="statusTopic"/> (see <c>AnprTopics.Status</c>).</summary>
    public static MqttWill Offline(string statusTopic) => new(statusTopic, System.Text.Encoding.UTF8.GetBytes(OfflinePayload));
}
