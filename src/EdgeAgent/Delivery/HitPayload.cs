using System.Text.Json;
using EdgeAnpr.Shared.Events;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>The bytes of a hit as stored in the outbox and published: the event as compact UTF-8 JSON.</summary>
public static class HitPayload
{
    /// <summary>The event as compact UTF-8 JSON.</summary>
    public static byte[] Serialize(HitEvent hit) => JsonSerializer.SerializeToUtf8Bytes(hit, EventJson.Default.HitEvent);

    /// <summary>Reads an event; throws <see cref="JsonException"/> when it is not a v1 event.</summary>
    public static HitEvent Deserialize(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize(payload, EventJson.Default.HitEvent) ?? throw new JsonException("The payload is JSON null, not a hit event.");
}
