namespace EdgeAnpr.Agent.Storage;

/// <summary>Who owns a watchlist entry: the station's signed list, or a technician on the box.</summary>
public enum WatchlistSource
{
    Station,
    Local,
}

/// <summary>
/// One watchlist entry. <see cref="Id"/> is assigned by its source (the station's entry id, or <c>local-...</c>);
/// <see cref="Plate"/> is the canonical text the plate reader emits; validity is [<see cref="ValidFrom"/>,
/// <see cref="ValidUntil"/>), either end open when null.
/// </summary>
public sealed record WatchlistEntry(
    string Id,
    string Plate,
    string Region,
    string Reason,
    string? Category,
    int Priority,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil,
    WatchlistSource Source);

/// <summary>The list version a station snapshot or delta brings: its number, the hash of the resulting list and the signing key.</summary>
public sealed record WatchlistVersion(long Version, string SnapshotHash, string KeyId);

/// <summary>The version the box holds and when it was applied (the single <c>watchlist_sync</c> row).</summary>
public sealed record WatchlistSyncState(long Version, string SnapshotHash, string KeyId, DateTimeOffset AppliedAt);

/// <summary>
/// What <see cref="WatchlistStore.ChangeMark"/> compares: the version, the number of entries and the newest change
/// (unix ms). Every upsert stamps <c>updated_at</c> with the time of writing and every removal changes the count.
/// </summary>
public sealed record WatchlistChangeMark(long? Version, long Entries, long LastChangeMs);
