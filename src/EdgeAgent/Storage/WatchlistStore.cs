using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace EdgeAnpr.Agent.Storage;

/// <summary>
/// The watchlist table and its sync state. A station snapshot replaces every station entry, and a delta applies
/// its upserts and removals, each atomically with the version bump and an audit record (one durable
/// transaction: after a power cut the box holds the old list or the new one, never a mix). Technicians' local
/// entries live beside the station's and are never touched by a sync. Verifying signatures and matching reads
/// are the callers' job.
/// </summary>
/// <remarks>
/// Thread-safe. Reads (<see cref="FindByPlate"/>, once per vehicle pass) use their own connection and lock, so in
/// WAL mode they keep seeing the previous list while a large snapshot is being written.
/// </remarks>
public sealed class WatchlistStore : IDisposable
{
    private const string Columns = "id, plate, region, reason, category, priority, valid_from, valid_until, source";

    private readonly Lock _readLock = new();
    private readonly Lock _writeLock = new();
    private readonly StorageConnection _read;
    private readonly StorageConnection _write;
    private readonly SqliteCommand _find;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _remove;
    private readonly SqliteCommand _setVersion;
    private readonly SqliteCommand _audit;
    private readonly TimeProvider _time;

    public WatchlistStore(AgentDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _read = new StorageConnection(database, Durability.Normal);
        _write = new StorageConnection(database, Durability.Full);
        _find = _read.Prepare($"SELECT {Columns} FROM watchlist WHERE plate = $plate ORDER BY priority, id", "$plate");
        // An upsert never moves an entry between sources: the station cannot overwrite a technician's entry or
        // the other way round (the WHERE makes it a no-op, reported as such).
        _upsert = _write.Prepare(
            """
            INSERT INTO watchlist (id, plate, region, reason, category, priority, valid_from, valid_until, source, created_at, updated_at)
            VALUES ($id, $plate, $region, $reason, $category, $priority, $valid_from, $valid_until, $source, $now, $now)
            ON CONFLICT (id) DO UPDATE SET
                plate = excluded.plate, region = excluded.region, reason = excluded.reason, category = excluded.category,
                priority = excluded.priority, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
                updated_at = excluded.updated_at
            WHERE watchlist.source = excluded.source
            """,
            "$id", "$plate", "$region", "$reason", "$category", "$priority", "$valid_from", "$valid_until", "$source", "$now");
        _remove = _write.Prepare("DELETE FROM watchlist WHERE id = $id AND source = $source", "$id", "$source");
        _setVersion = _write.Prepare(
            """
            INSERT INTO watchlist_sync (id, version, snapshot_hash, applied_at, key_id) VALUES (1, $version, $hash, $now, $key_id)
            ON CONFLICT (id) DO UPDATE SET
                version = excluded.version, snapshot_hash = excluded.snapshot_hash, applied_at = excluded.applied_at, key_id = excluded.key_id
            """,
            "$version", "$hash", "$now", "$key_id");
        _audit = _write.Prepare(AuditLog.InsertSql, AuditLog.InsertParameters);
    }

    /// <summary>The list version held, or null before the first snapshot.</summary>
    public WatchlistSyncState? CurrentVersion
    {
        get
        {
            lock (_readLock)
            {
                return ReadVersion(_read.Connection);
            }
        }
    }

    /// <summary>Entries held, station and local.</summary>
    public int Count
    {
        get
        {
            lock (_readLock)
            {
                using var command = _read.Connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM watchlist";
                return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>
    /// Replaces every station entry with <paramref name="entries"/> (all <see cref="WatchlistSource.Station"/>, ids
    /// distinct) and sets the version, in one durable transaction audited as <c>watchlist.snapshot</c>.
    /// </summary>
    /// <exception cref="StorageFullException">Disk full; the previous list is kept whole.</exception>
    public void ReplaceAll(IReadOnlyCollection<WatchlistEntry> entries, WatchlistVersion version, string actor)
    {
        ArgumentNullException.ThrowIfNull(entries);
        CheckVersion(version);
        CheckEntries(entries, WatchlistSource.Station);
        if (entries.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count() != entries.Count)
        {
            throw new ArgumentException("A snapshot must not hold two entries with the same id.", nameof(entries));
        }

        lock (_writeLock)
        {
            var now = _time.GetUtcNow();
            _write.InTransaction($"the watchlist snapshot version {version.Version}", () =>
            {
                using var clear = _write.Connection.CreateCommand();
                clear.CommandText = "DELETE FROM watchlist WHERE source = 'station'";
                var removed = clear.ExecuteNonQuery();
                foreach (var entry in entries)
                {
                    Upsert(entry, now);
                }

                SetVersion(version, now);
                AuditLog.Insert(_audit, now, actor, "watchlist.snapshot", Json(w =>
                {
                    WriteVersion(w, version);
                    w.WriteNumber("entries", entries.Count);
                    w.WriteNumber("replaced", removed);
                }), AuditOutcome.Applied, null);
                return 0;
            });
        }
    }

    /// <summary>
    /// Applies a station delta on top of <paramref name="baseVersion"/>: upserts (station entries) and removals (of
    /// station entries, by id) with the version bump, in one durable transaction audited as <c>watchlist.delta</c>.
    /// Returns false, changing nothing, when the box does not hold <paramref name="baseVersion"/> (the caller then
    /// asks for a snapshot and records the rejection).
    /// </summary>
    public bool ApplyDelta(
        long baseVersion, IReadOnlyCollection<WatchlistEntry> upserts, IReadOnlyCollection<string> removals, WatchlistVersion version, string actor)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(removals);
        CheckVersion(version);
        CheckEntries(upserts, WatchlistSource.Station);
        if (version.Version <= baseVersion)
        {
            throw new ArgumentException($"A delta must raise the version (from {baseVersion} to {version.Version}).", nameof(version));
        }

        lock (_writeLock)
        {
            var now = _time.GetUtcNow();
            return _write.InTransaction($"the watchlist delta to version {version.Version}", () =>
            {
                // Read under the write lock (BEGIN IMMEDIATE): no other writer can move the version meanwhile.
                if (ReadVersion(_write.Connection)?.Version != baseVersion)
                {
                    return false;
                }

                foreach (var entry in upserts)
                {
                    Upsert(entry, now);
                }

                var removed = 0;
                foreach (var id in removals)
                {
                    removed += Remove(id, WatchlistSource.Station);
                }

                SetVersion(version, now);
                AuditLog.Insert(_audit, now, actor, "watchlist.delta", Json(w =>
                {
                    w.WriteNumber("baseVersion", baseVersion);
                    WriteVersion(w, version);
                    w.WriteNumber("upserts", upserts.Count);
                    w.WriteNumber("removals", removals.Count);
                    w.WriteNumber("removed", removed);
                }), AuditOutcome.Applied, null);
                return true;
            });
        }
    }

    /// <summary>
    /// Adds technicians' local entries (all <see cref="WatchlistSource.Local"/>, ids distinct), or with
    /// <paramref name="replace"/> makes them the whole local list, in one durable transaction audited as
    /// <c>watchlist.import</c>: a failure part-way keeps the old local list whole. Station entries are never touched.
    /// Returns the number of local entries <paramref name="replace"/> removed.
    /// </summary>
    /// <param name="origin">Where the entries came from (the CSV file), for the audit record.</param>
    public int ImportLocal(IReadOnlyCollection<WatchlistEntry> entries, bool replace, string actor, string origin)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(origin);
        CheckEntries(entries, WatchlistSource.Local);
        if (entries.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count() != entries.Count)
        {
            throw new ArgumentException("An import must not hold two entries with the same id.", nameof(entries));
        }

        lock (_writeLock)
        {
            var now = _time.GetUtcNow();
            return _write.InTransaction($"the import of {entries.Count} local watchlist entries", () =>
            {
                var removed = 0;
                if (replace)
                {
                    using var clear = _write.Connection.CreateCommand();
                    clear.CommandText = "DELETE FROM watchlist WHERE source = 'local'";
                    removed = clear.ExecuteNonQuery();
                }

                foreach (var entry in entries)
                {
                    Upsert(entry, now);
                }

                AuditLog.Insert(_audit, now, actor, "watchlist.import", Json(w =>
                {
                    w.WriteString("from", origin);
                    w.WriteNumber("entries", entries.Count);
                    w.WriteBoolean("replace", replace);
                    w.WriteNumber("removed", removed);
                }), AuditOutcome.Applied, null);
                return removed;
            });
        }
    }

    /// <summary>
    /// Changes whenever an entry is added, changed or removed or the version moves, whoever wrote (this process or the
    /// CLI in another): the matcher compares it to decide whether to reload. Costs one scan of the table, no entry is read out.
    /// </summary>
    public WatchlistChangeMark ChangeMark
    {
        get
        {
            lock (_readLock)
            {
                using var command = _read.Connection.CreateCommand();
                command.CommandText = """
                    SELECT (SELECT version FROM watchlist_sync WHERE id = 1), count(*), coalesce(max(updated_at), 0) FROM watchlist
                    """;
                using var reader = command.ExecuteReader();
                reader.Read();
                return new WatchlistChangeMark(reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            }
        }
    }

    /// <summary>Adds or changes a technician's local entry, audited as <c>watchlist.upsert</c>; the version is unchanged.</summary>
    public void Upsert(WatchlistEntry entry, string actor)
    {
        ArgumentNullException.ThrowIfNull(entry);
        CheckEntries([entry], WatchlistSource.Local);
        lock (_writeLock)
        {
            var now = _time.GetUtcNow();
            _write.InTransaction($"watchlist entry {entry.Id}", () =>
            {
                Upsert(entry, now);
                AuditLog.Insert(_audit, now, actor, "watchlist.upsert", Json(w => WriteEntry(w, entry)), AuditOutcome.Applied, null);
                return 0;
            });
        }
    }

    /// <summary>Removes a technician's local entry, audited as <c>watchlist.remove</c>; false when there was none.</summary>
    public bool Remove(string id, string actor)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        lock (_writeLock)
        {
            var now = _time.GetUtcNow();
            return _write.InTransaction($"the removal of watchlist entry {id}", () =>
            {
                if (Remove(id, WatchlistSource.Local) == 0)
                {
                    return false;
                }

                AuditLog.Insert(_audit, now, actor, "watchlist.remove", Json(w => w.WriteString("id", id)), AuditOutcome.Applied, null);
                return true;
            });
        }
    }

    /// <summary>Entries whose canonical plate is exactly <paramref name="plate"/>, highest priority first (validity not applied).</summary>
    public IReadOnlyList<WatchlistEntry> FindByPlate(string plate)
    {
        ArgumentNullException.ThrowIfNull(plate);
        lock (_readLock)
        {
            _find.Parameters[0].Value = plate;
            using var reader = _find.ExecuteReader();
            return ReadEntries(reader);
        }
    }

    /// <summary>Entries in id order, at most <paramref name="max"/>, after <paramref name="afterId"/> (paging).</summary>
    public IReadOnlyList<WatchlistEntry> List(int max = int.MaxValue, string? afterId = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (_readLock)
        {
            using var command = _read.Connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM watchlist WHERE id > $after ORDER BY id LIMIT $max";
            command.Parameters.AddWithValue("$after", afterId ?? "");
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            return ReadEntries(reader);
        }
    }

    /// <summary>
    /// Writes every entry as JSON Lines (UTF-8, one object per line, id order, times as ISO-8601 UTC) with the sync
    /// state as the first line; returns the number of entries written.
    /// </summary>
    public int Export(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        lock (_readLock)
        {
            using var command = _read.Connection.CreateCommand();
            // One read transaction: the version line and the entries come from the same snapshot.
            command.CommandText = "BEGIN";
            command.ExecuteNonQuery();
            try
            {
                var state = ReadVersion(_read.Connection);
                WriteLine(destination, w =>
                {
                    w.WriteString("type", "watchlist");
                    if (state is not null)
                    {
                        w.WriteNumber("version", state.Version);
                        w.WriteString("snapshotHash", state.SnapshotHash);
                        w.WriteString("keyId", state.KeyId);
                        w.WriteString("appliedAt", state.AppliedAt);
                    }
                });

                command.CommandText = $"SELECT {Columns}, created_at, updated_at FROM watchlist ORDER BY id";
                using var reader = command.ExecuteReader();
                var count = 0;
                while (reader.Read())
                {
                    var entry = ReadEntry(reader);
                    WriteLine(destination, w =>
                    {
                        WriteEntry(w, entry);
                        w.WriteString("createdAt", FromUnixMs(reader.GetInt64(9)));
                        w.WriteString("updatedAt", FromUnixMs(reader.GetInt64(10)));
                    });
                    count++;
                }

                return count;
            }
            finally
            {
                command.CommandText = "COMMIT";
                command.ExecuteNonQuery();
            }
        }
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            lock (_readLock)
            {
                foreach (var command in new[] { _find, _upsert, _remove, _setVersion, _audit })
                {
                    command.Dispose();
                }

                _read.Dispose();
                _write.Dispose();
            }
        }
    }

    private void Upsert(WatchlistEntry entry, DateTimeOffset now)
    {
        var p = _upsert.Parameters;
        p[0].Value = entry.Id;
        p[1].Value = entry.Plate;
        p[2].Value = entry.Region;
        p[3].Value = entry.Reason;
        p[4].Value = (object?)entry.Category ?? DBNull.Value;
        p[5].Value = entry.Priority;
        p[6].Value = (object?)entry.ValidFrom?.ToUnixTimeMilliseconds() ?? DBNull.Value;
        p[7].Value = (object?)entry.ValidUntil?.ToUnixTimeMilliseconds() ?? DBNull.Value;
        p[8].Value = SourceText(entry.Source);
        p[9].Value = now.ToUnixTimeMilliseconds();
        if (_upsert.ExecuteNonQuery() == 0)
        {
            throw new InvalidOperationException(
                $"Watchlist entry {entry.Id} belongs to the {(entry.Source == WatchlistSource.Station ? "local" : "station")} list; it was not changed.");
        }
    }

    private int Remove(string id, WatchlistSource source)
    {
        _remove.Parameters[0].Value = id;
        _remove.Parameters[1].Value = SourceText(source);
        return _remove.ExecuteNonQuery();
    }

    private void SetVersion(WatchlistVersion version, DateTimeOffset now)
    {
        _setVersion.Parameters[0].Value = version.Version;
        _setVersion.Parameters[1].Value = version.SnapshotHash;
        _setVersion.Parameters[2].Value = now.ToUnixTimeMilliseconds();
        _setVersion.Parameters[3].Value = version.KeyId;
        _setVersion.ExecuteNonQuery();
    }

    private static WatchlistSyncState? ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, snapshot_hash, key_id, applied_at FROM watchlist_sync WHERE id = 1";
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new WatchlistSyncState(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), FromUnixMs(reader.GetInt64(3)))
            : null;
    }

    private static List<WatchlistEntry> ReadEntries(SqliteDataReader reader)
    {
        var entries = new List<WatchlistEntry>();
        while (reader.Read())
        {
            entries.Add(ReadEntry(reader));
        }

        return entries;
    }

    private static WatchlistEntry ReadEntry(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt32(5),
        reader.IsDBNull(6) ? null : FromUnixMs(reader.GetInt64(6)),
        reader.IsDBNull(7) ? null : FromUnixMs(reader.GetInt64(7)),
        reader.GetString(8) == "local" ? WatchlistSource.Local : WatchlistSource.Station);

    private static void CheckVersion(WatchlistVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentException.ThrowIfNullOrEmpty(version.SnapshotHash, nameof(version));
        ArgumentException.ThrowIfNullOrEmpty(version.KeyId, nameof(version));
    }

    private static void CheckEntries(IEnumerable<WatchlistEntry> entries, WatchlistSource source)
    {
        foreach (var entry in entries)
        {
            if (entry is null || string.IsNullOrEmpty(entry.Id) || string.IsNullOrEmpty(entry.Plate) ||
                string.IsNullOrEmpty(entry.Region) || string.IsNullOrEmpty(entry.Reason))
            {
                throw new ArgumentException($"Watchlist entry {entry?.Id} needs an id, plate, region and reason.", nameof(entries));
            }

            if (entry.Source != source)
            {
                throw new ArgumentException($"Watchlist entry {entry.Id} is a {entry.Source} entry where only {source} entries belong.", nameof(entries));
            }

            if (entry.ValidFrom >= entry.ValidUntil)
            {
                throw new ArgumentException($"Watchlist entry {entry.Id} ends before it starts.", nameof(entries));
            }
        }
    }

    private static string SourceText(WatchlistSource source) => source == WatchlistSource.Local ? "local" : "station";

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static void WriteVersion(Utf8JsonWriter w, WatchlistVersion version)
    {
        w.WriteNumber("version", version.Version);
        w.WriteString("snapshotHash", version.SnapshotHash);
        w.WriteString("keyId", version.KeyId);
    }

    private static void WriteEntry(Utf8JsonWriter w, WatchlistEntry entry)
    {
        w.WriteString("id", entry.Id);
        w.WriteString("plate", entry.Plate);
        w.WriteString("region", entry.Region);
        w.WriteString("reason", entry.Reason);
        if (entry.Category is not null)
        {
            w.WriteString("category", entry.Category);
        }

        w.WriteNumber("priority", entry.Priority);
        if (entry.ValidFrom is { } from)
        {
            w.WriteString("validFrom", from);
        }

        if (entry.ValidUntil is { } until)
        {
            w.WriteString("validUntil", until);
        }

        w.WriteString("source", SourceText(entry.Source));
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        WriteObject(buffer, write);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteLine(Stream destination, Action<Utf8JsonWriter> write)
    {
        WriteObject(destination, write);
        destination.WriteByte((byte)'\n');
    }

    private static void WriteObject(Stream destination, Action<Utf8JsonWriter> write)
    {
        using var writer = new Utf8JsonWriter(destination);
        writer.WriteStartObject();
        write(writer);
        writer.WriteEndObject();
    }
}
