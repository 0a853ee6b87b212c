using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace EdgeAnpr.Agent.Storage;

/// <summary>Whether an audited change took effect.</summary>
public enum AuditOutcome
{
    Applied,
    Rejected,
}

/// <summary>One audit record: who did what to the watchlist, when, and whether it took effect.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Detail, AuditOutcome Outcome, string? Reason);

/// <summary>
/// Who changed the watchlist, when and how, kept in the database (<c>audit</c> table) with durable writes.
/// <see cref="WatchlistStore"/> records its applied changes in the same transaction as the change itself; the
/// sync logic records what it rejected (bad signature, stale version) here. Thread-safe (one lock).
/// </summary>
public sealed class AuditLog : IDisposable
{
    internal const string InsertSql = """
        INSERT INTO audit (at, actor, action, detail, outcome, reason) VALUES ($at, $actor, $action, $detail, $outcome, $reason)
        """;

    internal static readonly string[] InsertParameters = ["$at", "$actor", "$action", "$detail", "$outcome", "$reason"];

    private readonly Lock _lock = new();
    private readonly StorageConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly TimeProvider _time;

    public AuditLog(AgentDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _connection = new StorageConnection(database, Durability.Full);
        _insert = _connection.Prepare(InsertSql, InsertParameters);
    }

    /// <summary>The actor for a change signed by the station with key <paramref name="keyId"/>.</summary>
    public static string StationActor(string keyId) => "station:" + keyId;

    /// <summary>The actor for a technician's change on the box, by unix user name.</summary>
    public static string LocalActor(string unixUser) => "local:" + unixUser;

    /// <summary>Stores one record durably; returns its id.</summary>
    /// <param name="detailJson">A JSON object describing the change (version, counts, the plate...).</param>
    /// <exception cref="StorageFullException">Disk full; nothing was stored.</exception>
    public long Record(string actor, string action, string detailJson, AuditOutcome outcome, string? reason = null)
    {
        lock (_lock)
        {
            return _connection.InTransaction($"an audit record ({action})", () =>
            {
                Insert(_insert, _time.GetUtcNow(), actor, action, detailJson, outcome, reason);
                return SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Connection.Handle!);
            });
        }
    }

    /// <summary>The newest records first, at most <paramref name="max"/>, optionally only since a time or of one action.</summary>
    public IReadOnlyList<AuditEntry> Query(int max = 100, DateTimeOffset? since = null, string? action = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (_lock)
        {
            using var command = _connection.Connection.CreateCommand();
            command.CommandText = """
                SELECT id, at, actor, action, detail, outcome, reason FROM audit
                WHERE at >= $since AND ($action IS NULL OR action = $action)
                ORDER BY id DESC LIMIT $max
                """;
            command.Parameters.AddWithValue("$since", since?.ToUnixTimeMilliseconds() ?? long.MinValue);
            command.Parameters.AddWithValue("$action", (object?)action ?? DBNull.Value);
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var entries = new List<AuditEntry>();
            while (reader.Read())
            {
                entries.Add(new AuditEntry(
                    reader.GetInt64(0),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetString(4),
                    reader.GetString(5) == "applied" ? AuditOutcome.Applied : AuditOutcome.Rejected,
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            return entries;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _insert.Dispose();
            _connection.Dispose();
        }
    }

    /// <summary>Binds and runs a prepared <see cref="InsertSql"/>; for writers that audit inside their own transaction.</summary>
    internal static void Insert(SqliteCommand insert, DateTimeOffset at, string actor, string action, string detailJson, AuditOutcome outcome, string? reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(detailJson);
        if (!IsJsonObject(detailJson))
        {
            throw new ArgumentException("The audit detail must be a JSON object.", nameof(detailJson));
        }

        insert.Parameters[0].Value = at.ToUnixTimeMilliseconds();
        insert.Parameters[1].Value = actor;
        insert.Parameters[2].Value = action;
        insert.Parameters[3].Value = detailJson;
        insert.Parameters[4].Value = outcome == AuditOutcome.Applied ? "applied" : "rejected";
        insert.Parameters[5].Value = (object?)reason ?? DBNull.Value;
        insert.ExecuteNonQuery();
    }

    private static bool IsJsonObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
