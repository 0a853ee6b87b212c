using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace EdgeAnpr.Agent.Storage;

/// <summary>One stored hit as the technician's tools see it: no payload kept beyond what the caller asked for.</summary>
public sealed record OutboxRow(long Seq, string EventId, string Topic, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? LastAttemptAt, int Bytes, byte[] Payload);

/// <summary>What the outbox holds: hits, payload bytes, and when the oldest was stored (null when empty).</summary>
public readonly record struct OutboxSummary(long Items, long Bytes, DateTimeOffset? OldestCreatedAt);

/// <summary>A hit a tool removed or requeued: its seq before (and after a requeue) and its event id.</summary>
public readonly record struct OutboxChange(long Seq, long NewSeq, string EventId);

/// <summary>
/// The outbox seen from the command line, beside a running agent: list, count, requeue and purge. Each change is one
/// <c>BEGIN IMMEDIATE</c> transaction on a connection of its own with the database's busy timeout
/// (<see cref="AgentDatabase.BusyTimeout"/>), so it waits for the agent's commit under way rather than failing, and the
/// agent's next read sees all of it or none. Purges and requeues are audited in the same transaction
/// (<c>outbox.purge</c>, <c>outbox.retry</c>). Not thread-safe; dispose to close the connection.
/// </summary>
/// <remarks>
/// The delivery loop has no per-hit schedule: it publishes every stored hit, oldest first, whenever the link is up,
/// and after that only reads hits with a seq above the last it handed out, plus every hit again after a reconnect or a
/// failed publish. A hit waits in the outbox only because the link is down or its PUBACK has not come. A requeue
/// therefore moves the hit to a new seq (same event id, payload and stored time; attempts reset): the agent's poll
/// (<c>DeliveryService.Poll</c>, 250 ms) sees a seq it has not handed out and publishes it at once when the link is up.
/// Should the PUBACK of an earlier publish of it arrive meanwhile, that delete finds nothing and the hit goes out once
/// more; stations deduplicate on the event id.
/// </remarks>
public sealed class OutboxMaintenance : IDisposable
{
    private const string Columns = "seq, event_id, topic, created_at, attempts, last_attempt_at, length(payload), payload";

    private readonly StorageConnection _connection;
    private readonly SqliteCommand _audit;
    private readonly TimeProvider _time;

    public OutboxMaintenance(AgentDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _connection = new StorageConnection(database, Durability.Full);
        _audit = _connection.Prepare(AuditLog.InsertSql, AuditLog.InsertParameters);
    }

    /// <summary>Up to <paramref name="limit"/> stored hits, oldest first.</summary>
    public IReadOnlyList<OutboxRow> List(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Query($"SELECT {Columns} FROM outbox ORDER BY seq LIMIT $limit", ("$limit", limit));
    }

    public OutboxSummary Summary()
    {
        using var command = _connection.Connection.CreateCommand();
        command.CommandText = "SELECT items, bytes, (SELECT min(created_at) FROM outbox) FROM outbox_totals WHERE id = 1";
        using var reader = command.ExecuteReader();
        reader.Read();
        return new OutboxSummary(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
    }

    /// <summary>The stored hits named by seq or event id; the ids found nothing for come back in <paramref name="unknown"/>.</summary>
    public IReadOnlyList<OutboxRow> Find(IEnumerable<string> ids, out IReadOnlyList<string> unknown)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var found = new List<OutboxRow>();
        var missing = new List<string>();
        foreach (var id in ids)
        {
            var rows = long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
                ? Query($"SELECT {Columns} FROM outbox WHERE seq = $id", ("$id", seq))
                : Query($"SELECT {Columns} FROM outbox WHERE event_id = $id", ("$id", id));
            if (rows.Count == 0)
            {
                missing.Add(id);
            }
            else if (!found.Exists(r => r.Seq == rows[0].Seq))
            {
                found.Add(rows[0]);
            }
        }

        unknown = missing;
        return found;
    }

    /// <summary>Every stored hit stored before <paramref name="cutoff"/> (all of them when null), oldest first.</summary>
    public IReadOnlyList<OutboxRow> StoredBefore(DateTimeOffset? cutoff) =>
        Query($"SELECT {Columns} FROM outbox WHERE created_at < $cutoff ORDER BY seq", ("$cutoff", cutoff?.ToUnixTimeMilliseconds() ?? long.MaxValue));

    /// <summary>
    /// Moves each hit still stored to a new seq, in their order, with attempts reset; audited as <c>outbox.retry</c>. A
    /// hit delivered (deleted) meanwhile is skipped.
    /// </summary>
    public IReadOnlyList<OutboxChange> Requeue(IReadOnlyList<OutboxRow> rows, string actor)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return _connection.InTransaction("an outbox retry", () =>
        {
            var changes = new List<OutboxChange>();
            foreach (var row in rows.OrderBy(r => r.Seq))
            {
                if (Execute("DELETE FROM outbox WHERE seq = $seq", ("$seq", row.Seq)) == 0)
                {
                    continue;
                }

                Execute(
                    "INSERT INTO outbox (event_id, topic, payload, created_at, attempts, last_attempt_at) VALUES ($event_id, $topic, $payload, $created_at, 0, NULL)",
                    ("$event_id", row.EventId), ("$topic", row.Topic), ("$payload", row.Payload), ("$created_at", row.CreatedAt.ToUnixTimeMilliseconds()));
                changes.Add(new OutboxChange(row.Seq, SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Connection.Handle!), row.EventId));
            }

            Audit(actor, "outbox.retry", changes, selector: null);
            return changes;
        });
    }

    /// <summary>
    /// Deletes each hit still stored; audited as <c>outbox.purge</c> in the same transaction, with the count, seqs, event
    /// ids and <paramref name="selector"/> (what the technician asked for). A hit delivered meanwhile is not counted.
    /// </summary>
    public IReadOnlyList<OutboxChange> Purge(IReadOnlyList<OutboxRow> rows, string actor, string selector)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return _connection.InTransaction("an outbox purge", () =>
        {
            var removed = rows
                .Where(row => Execute("DELETE FROM outbox WHERE seq = $seq", ("$seq", row.Seq)) == 1)
                .Select(row => new OutboxChange(row.Seq, 0, row.EventId))
                .ToList();
            Audit(actor, "outbox.purge", removed, selector);
            return removed;
        });
    }

    public void Dispose()
    {
        _audit.Dispose();
        _connection.Dispose();
    }

    private void Audit(string actor, string action, List<OutboxChange> changes, string? selector)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("count", changes.Count);
            json.WriteString("selector", selector);
            json.WriteStartArray("seqs");
            foreach (var change in changes)
            {
                json.WriteNumberValue(change.Seq);
            }

            json.WriteEndArray();
            json.WriteStartArray("eventIds");
            foreach (var change in changes)
            {
                json.WriteStringValue(change.EventId);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var detail = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        AuditLog.Insert(_audit, _time.GetUtcNow(), actor, action, detail, AuditOutcome.Applied, reason: null);
    }

    private List<OutboxRow> Query(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<OutboxRow>();
        while (reader.Read())
        {
            rows.Add(new OutboxRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.GetInt32(6),
                reader.GetFieldValue<byte[]>(7)));
        }

        return rows;
    }

    private int Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var command = _connection.Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
