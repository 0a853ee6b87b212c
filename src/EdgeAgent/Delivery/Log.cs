using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>Delivery's log messages (event ids 3500-3599): the outbox's way to the broker, the heartbeat.</summary>
internal static partial class Log
{
    [LoggerMessage(3500, LogLevel.Information, "Delivery: {Count} undelivered hit(s) in the outbox at start, the oldest {Age} old; they go out first, oldest first, marked replayed")]
    public static partial void BacklogAtStart(ILogger logger, int count, TimeSpan age);

    [LoggerMessage(3501, LogLevel.Information, "Delivery: connected; sending the {Count} hit(s) in the outbox oldest first (those committed before this connection marked replayed)")]
    public static partial void SendingBacklog(ILogger logger, int count);

    [LoggerMessage(3502, LogLevel.Information, "Delivery: backlog delivered: {Count} hit(s) acknowledged in {Elapsed}")]
    public static partial void BacklogDelivered(ILogger logger, long count, TimeSpan elapsed);

    [LoggerMessage(3503, LogLevel.Error, "Delivery: cannot publish hit {EventId} (outbox seq {Seq}): {Reason}; it stays in the outbox and is tried again")]
    public static partial void PublishFailed(ILogger logger, string eventId, long seq, string reason);

    [LoggerMessage(3504, LogLevel.Error, "Delivery: a pass of the publishing loop failed; the hits stay in the outbox, carrying on")]
    public static partial void StepFailed(ILogger logger, Exception exception);

    [LoggerMessage(3505, LogLevel.Warning, "Delivery: cannot delete {Count} acknowledged hit(s) from the outbox (retrying; meanwhile a restart would send them again): {Reason}")]
    public static partial void DeleteFailed(ILogger logger, int count, string reason);

    [LoggerMessage(3506, LogLevel.Warning, "Delivery: the outbox did not drain within {Timeout}: {Count} hit(s) left for the next run (MQTT: {Connection})")]
    public static partial void DrainTimedOut(ILogger logger, TimeSpan timeout, int count, string connection);

    [LoggerMessage(3507, LogLevel.Error, "Delivery: HIT {EventId} NOT STORED: {Reason}")]
    public static partial void NotStored(ILogger logger, string eventId, string reason);

    [LoggerMessage(3508, LogLevel.Warning, "Delivery: the outbox check at start failed (the loop goes on and the heartbeat tries again): {Reason}")]
    public static partial void StartCheckFailed(ILogger logger, string reason);

    [LoggerMessage(3509, LogLevel.Information, "Delivery: MQTT is off (Mqtt:Host empty): hits are stored in the outbox and not published")]
    public static partial void MqttOff(ILogger logger);

    [LoggerMessage(3510, LogLevel.Information, "Delivery: deleted {Count} unmatched read(s) older than the retention of {Retention}")]
    public static partial void ReadsExpired(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(3511, LogLevel.Warning, "Delivery: no PUBACK for hit {EventId} (outbox seq {Seq}) within {Timeout}; it stays in the outbox and is sent again")]
    public static partial void NotAcknowledged(ILogger logger, string eventId, long seq, TimeSpan timeout);

    [LoggerMessage(3519, LogLevel.Debug, "Heartbeat: every {Interval}, on {Topic}")]
    public static partial void HeartbeatsStarted(ILogger logger, TimeSpan interval, string topic);

    [LoggerMessage(3520, LogLevel.Debug, "Heartbeat: outbox {Depth} hit(s), oldest {OldestSeconds} s, {Evicted} evicted, {Fps} frames/s")]
    public static partial void HeartbeatMade(ILogger logger, int depth, double? oldestSeconds, long evicted, double? fps);

    [LoggerMessage(3521, LogLevel.Warning, "Heartbeat: cannot publish on {Topic}: {Reason}")]
    public static partial void HeartbeatNotPublished(ILogger logger, string topic, string reason);

    [LoggerMessage(3522, LogLevel.Error, "Heartbeat: a pass failed; carrying on")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);
}
