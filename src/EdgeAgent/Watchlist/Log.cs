using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>The watchlist's log messages (event ids 7000-7099). Each refused station message is logged once, with its reason.</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Information, "Watchlist loaded: {Entries} entries ({Station} from the station, {Local} local), version {Version}, indexed in {Elapsed}")]
    public static partial void Loaded(ILogger logger, int entries, int station, int local, long? version, TimeSpan elapsed);

    [LoggerMessage(7001, LogLevel.Information, "Watchlist sync: listening on {SnapshotTopic} and {DeltaTopic}, trusting station key(s) {KeyIds}; holding version {Version}")]
    public static partial void SyncStarted(ILogger logger, string snapshotTopic, string deltaTopic, string keyIds, long? version);

    [LoggerMessage(7002, LogLevel.Error,
        "Watchlist sync REFUSED: no station key is configured (Watchlist:StationKeyFiles), so no station message can be verified. " +
        "The box keeps the list it holds (version {Version}, {Entries} entries) until a key is configured.")]
    public static partial void SyncRefused(ILogger logger, long? version, int entries);

    [LoggerMessage(7003, LogLevel.Information, "Watchlist snapshot version {Version} applied: {Entries} entries, signed by key {KeyId}, {Bytes} bytes, in {Elapsed}")]
    public static partial void SnapshotApplied(ILogger logger, long version, int entries, string keyId, int bytes, TimeSpan elapsed);

    [LoggerMessage(7004, LogLevel.Information, "Watchlist delta {BaseVersion} -> {Version} applied: {Upserts} upsert(s), {Removals} removal(s), signed by key {KeyId}")]
    public static partial void DeltaApplied(ILogger logger, long baseVersion, long version, int upserts, int removals, string keyId);

    [LoggerMessage(7005, LogLevel.Warning, "Watchlist message on {Topic} REJECTED ({Problem}): {Reason}. The active list stays at version {Version}.")]
    public static partial void Rejected(ILogger logger, string topic, string problem, string reason, long? version);

    [LoggerMessage(7006, LogLevel.Warning, "Watchlist delta {BaseVersion} -> {Version} held: the box holds version {Held}; {Count} delta(s) held until the next snapshot")]
    public static partial void DeltaHeld(ILogger logger, long baseVersion, long version, long? held, int count);

    [LoggerMessage(7007, LogLevel.Debug, "Watchlist {Kind} version {Version} is already applied (redelivered); ignored")]
    public static partial void Redelivered(ILogger logger, string kind, long version);

    [LoggerMessage(7008, LogLevel.Information, "The broker's retained watchlist snapshot (version {Version}) is older than the version held ({Held}, brought by deltas since); ignored")]
    public static partial void RetainedSnapshotOlder(ILogger logger, long version, long held);

    [LoggerMessage(7009, LogLevel.Warning, "Held watchlist delta {BaseVersion} -> {Version} dropped: {Reason}")]
    public static partial void HeldDropped(ILogger logger, long baseVersion, long version, string reason);

    [LoggerMessage(7010, LogLevel.Error, "Watchlist message on {Topic} could not be handled; the active list is unchanged")]
    public static partial void HandleFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(7011, LogLevel.Error, "Cannot write the audit record of a refused watchlist message on {Topic}: {Reason}")]
    public static partial void AuditFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(7012, LogLevel.Error, "Watchlist reload failed; matching goes on with the list loaded before: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, string reason);

    [LoggerMessage(7013, LogLevel.Debug, "Message on {Topic} is not a watchlist topic of this site; ignored")]
    public static partial void OtherTopic(ILogger logger, string topic);

    [LoggerMessage(7014, LogLevel.Warning, "Watchlist sync off: MQTT is off (Mqtt:Host is empty); the box keeps the list it holds (version {Version}, {Entries} entries)")]
    public static partial void NoMqtt(ILogger logger, long? version, int entries);
}
