using System.Text.Json;
using EdgeAnpr.Shared.Events;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>
/// The bytes of a hit as stored in the outbox and published. The event is stored once, with
/// <c>"replayed":false</c> as its last member (<see cref="HitEvent.Replayed"/> is declared last); whether it is a
/// replay is only known when it is published, so <see cref="AsReplayed"/> rewrites that tail then, without parsing
/// the rest (the image makes up most of it).
/// </summary>
public static class HitPayload
{
    private static readonly byte[] LiveTail = "\"replayed\":false}"u8.ToArray();
    private static readonly byte[] ReplayedTail = "\"replayed\":true}"u8.ToArray();

    /// <summary>The event as compact UTF-8 JSON.</summary>
    public static byte[] Serialize(HitEvent hit) => JsonSerializer.SerializeToUtf8Bytes(hit, EventJson.Default.HitEvent);

    /// <summary>Reads an event; throws <see cref="JsonException"/> when it is not a v1 event.</summary>
    public static HitEvent Deserialize(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize(payload, EventJson.Default.HitEvent) ?? throw new JsonException("The payload is JSON null, not a hit event.");

    /// <summary>
    /// The stored <paramref name="payload"/> with <c>replayed</c> set to true. Payloads this build wrote are rewritten
    /// at their tail; anything else (an older build's layout) is parsed and written again.
    /// </summary>
    public static byte[] AsReplayed(ReadOnlySpan<byte> payload)
    {
        if (payload.EndsWith(LiveTail))
        {
            var head = payload[..^LiveTail.Length];
            var replayed = new byte[head.Length + ReplayedTail.Length];
            head.CopyTo(replayed);
            ReplayedTail.CopyTo(replayed.AsSpan(head.Length));
            return replayed;
        }

        if (payload.EndsWith(ReplayedTail))
        {
            return payload.ToArray();
        }

        return Serialize(Deserialize(payload) with { Replayed = true });
    }
}
