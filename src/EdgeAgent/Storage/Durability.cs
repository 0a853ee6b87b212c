namespace EdgeAnpr.Agent.Storage;

/// <summary>How hard a connection's commits are pushed to the disk (its <c>PRAGMA synchronous</c>).</summary>
/// <remarks>
/// In WAL mode (https://sqlite.org/pragma.html#pragma_synchronous): FULL fsyncs the WAL at every commit, so a
/// commit that has returned survives a power cut; NORMAL fsyncs only at checkpoints, so a commit survives a
/// crash or SIGKILL of the process but the last ones may roll back on power loss. Both are atomic and never
/// corrupt the database. The setting is per connection; a FULL commit also syncs every NORMAL frame before it.
/// </remarks>
internal enum Durability
{
    /// <summary><c>synchronous=FULL</c>: for what must survive power loss (outbox inserts, watchlist and audit writes).</summary>
    Full,

    /// <summary>
    /// <c>synchronous=NORMAL</c>: for changes whose loss on power-cut only repeats work, never loses data
    /// (outbox deletes after PUBACK, attempt counters, eviction, reads).
    /// </summary>
    Normal,
}
