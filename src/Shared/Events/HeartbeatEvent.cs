namespace EdgeAnpr.Shared.Events;

/// <summary>
/// The box's periodic health report on <c>anpr/v1/{site}/{camera}/heartbeat</c> (QoS 0, every
/// <c>Delivery:HeartbeatInterval</c>, default 30 s). Values a box cannot know are null: frame figures without a
/// camera stage, the watchlist version before the first sync, the CPU temperature where the kernel shows none.
/// </summary>
/// <param name="SiteId">The site.</param>
/// <param name="CameraId">The camera.</param>
/// <param name="SentAt">When this heartbeat was made (UTC).</param>
/// <param name="UptimeSeconds">Seconds since the service started.</param>
/// <param name="FramesPerSecond">Frames captured per second since the previous heartbeat.</param>
/// <param name="FramesCaptured">Frames captured since start.</param>
/// <param name="FramesDropped">Frames dropped since start because processing fell behind.</param>
/// <param name="FrameQueueDepth">Frames waiting for processing now.</param>
/// <param name="OutboxDepth">Hits stored and not yet acknowledged by the broker.</param>
/// <param name="OutboxBytes">Their payload bytes.</param>
/// <param name="OldestUndeliveredSeconds">How long the oldest of them has waited; null when there is none.</param>
/// <param name="OutboxEvicted">Hits evicted over the outbox bounds since start (each eviction is also logged).</param>
/// <param name="HitsDelivered">Hits acknowledged by the broker since start.</param>
/// <param name="WatchlistVersion">The watchlist version applied; null before the first sync.</param>
/// <param name="CpuTemperatureCelsius">The SoC temperature, where readable.</param>
public sealed record HeartbeatEvent(
    string SiteId,
    string CameraId,
    DateTimeOffset SentAt,
    double UptimeSeconds,
    double? FramesPerSecond,
    long? FramesCaptured,
    long? FramesDropped,
    int? FrameQueueDepth,
    int OutboxDepth,
    long OutboxBytes,
    double? OldestUndeliveredSeconds,
    long OutboxEvicted,
    long HitsDelivered,
    long? WatchlistVersion,
    double? CpuTemperatureCelsius);
