namespace EdgeAnpr.Agent.Storage;

/// <summary>A hit to store: its event id (what station subscribers deduplicate on), MQTT topic and payload.</summary>
public readonly record struct OutboxMessage(string EventId, string Topic, ReadOnlyMemory<byte> Payload);

/// <summary>A stored, not yet acknowledged hit. <see cref="Seq"/> orders hits oldest first and is never reused.</summary>
public sealed record OutboxItem(
    long Seq, string EventId, string Topic, ReadOnlyMemory<byte> Payload, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? LastAttemptAt);

/// <summary>Hits one bounds check evicted, by the bound that evicted them (age first, then count, then size).</summary>
public readonly record struct OutboxEviction(int ByAge, int ByItems, int ByBytes)
{
    public int Total => ByAge + ByItems + ByBytes;
}
