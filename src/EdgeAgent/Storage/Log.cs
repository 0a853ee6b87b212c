using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Storage;

/// <summary>Log messages of the database and the outbox (event ids 3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Database {Path} open: schema version {Version}, {Bytes} bytes, checked in {Elapsed}")]
    public static partial void DatabaseOpened(ILogger logger, string path, int version, long bytes, TimeSpan elapsed);

    [LoggerMessage(3001, LogLevel.Information, "Database {Path} migrated from schema version {From} to {To}")]
    public static partial void Migrated(ILogger logger, string path, int from, int to);

    [LoggerMessage(3002, LogLevel.Error,
        "DATABASE CORRUPT: {Path} failed its check ({Problem}). Moved it aside to {AsidePath} and started a fresh database; " +
        "the watchlist is empty until the next sync from the station. Keep the moved file for inspection.")]
    public static partial void DatabaseMovedAside(ILogger logger, string path, string asidePath, string problem);

    [LoggerMessage(3003, LogLevel.Warning, "Salvaged {Count} undelivered hit(s) from the moved-aside database {AsidePath} into the outbox")]
    public static partial void HitsSalvaged(ILogger logger, int count, string asidePath);

    [LoggerMessage(3004, LogLevel.Error,
        "Salvage from the moved-aside database {AsidePath} stopped after {Count} hit(s): {Reason}. Hits beyond that point may be lost; the file is kept.")]
    public static partial void SalvageStopped(ILogger logger, string asidePath, int count, string reason);

    [LoggerMessage(3010, LogLevel.Warning,
        "Outbox over its bounds: evicted {Count} undelivered hit(s), seq {FirstSeq}..{LastSeq} (events {FirstEventId}..{LastEventId}): " +
        "{ByAge} older than {MaxAge}, {ByItems} over {MaxItems} items, {ByBytes} over {MaxBytes} bytes; {Remaining} remain, {EvictedTotal} evicted since start")]
    public static partial void OutboxEvicted(
        ILogger logger, int count, long firstSeq, long lastSeq, string firstEventId, string lastEventId,
        int byAge, TimeSpan maxAge, int byItems, int maxItems, int byBytes, long maxBytes, long remaining, long evictedTotal);

    [LoggerMessage(3011, LogLevel.Warning, "Outbox bounds check after a commit failed (the hits are stored; checked again at the next commit and heartbeat): {Reason}")]
    public static partial void BoundsCheckFailed(ILogger logger, string reason);

    [LoggerMessage(3012, LogLevel.Error, "Outbox commit of {Count} queued hit(s) failed unexpectedly; their callers were told they were not stored")]
    public static partial void CommitFailed(ILogger logger, int count, Exception exception);
}
