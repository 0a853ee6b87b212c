using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeAnpr.Agent.Status;

/// <summary>
/// What <c>status</c> can say when no agent answers: the outbox and watchlist from the database file, the model files,
/// the temperature. The database is opened read-only with a plain connection: a technician's command must not migrate,
/// salvage or create the service's database (as root, it would leave files the service cannot open).
/// </summary>
internal static class OfflineStatus
{
    /// <param name="reason">Why no agent answered, one line (the first problem reported).</param>
    /// <param name="fix">What to do about it.</param>
    public static StatusDocument Build(
        string reason, string fix, StorageOptions storage, IReadOnlyList<ModelVersion> models, string? siteId, string? cameraId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(time);
        var problems = new List<StatusProblem> { new(reason, fix) };
        OutboxStatusPart? outbox = null;
        WatchlistStatusPart? watchlist = null;
        var path = Path.Combine(storage.Directory, AgentDatabase.FileName);
        if (!File.Exists(path))
        {
            problems.Add(new($"no database at {path}: the agent has not run here yet (or Storage:Directory is wrong)",
                "start the agent once (sudo systemctl start edge-anpr) or correct Storage:Directory"));
        }
        else
        {
            try
            {
                (outbox, watchlist) = Read(path, time);
            }
            catch (SqliteException ex)
            {
                problems.Add(new($"the database {path} cannot be read: {ex.Message}",
                    "run as a member of the service's group or with sudo; edge-anpr doctor checks the state directory"));
            }
        }

        var document = new StatusDocument(
            AgentRunning: false,
            StatusReport.AgentVersion,
            time.GetUtcNow(),
            UptimeSeconds: null,
            siteId,
            cameraId,
            Camera: null,
            Pipeline: null,
            LastHour: null,
            outbox,
            Broker: null,
            watchlist,
            models,
            CpuTemperature.Read(HeartbeatService.DefaultTemperaturePath),
            []);
        return document with { Problems = [.. problems, .. StatusProblems.Find(document)] };
    }

    private static (OutboxStatusPart Outbox, WatchlistStatusPart Watchlist) Read(string path, TimeProvider time)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var (items, bytes) = Query(connection, "SELECT items, bytes FROM outbox_totals WHERE id = 1", r => (r.GetInt64(0), r.GetInt64(1)));
        var oldest = Query(connection, "SELECT created_at FROM outbox ORDER BY seq LIMIT 1", r => (long?)r.GetInt64(0));
        var version = Query(connection, "SELECT version FROM watchlist_sync WHERE id = 1", r => (long?)r.GetInt64(0));
        var entries = Query(connection, "SELECT count(*) FROM watchlist", r => r.GetInt64(0));
        double? oldestAge = oldest is { } created ? Math.Round(Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - created) / 1000.0, 1) : null;
        return (new OutboxStatusPart((int)items, bytes, oldestAge, Evicted: null), new WatchlistStatusPart(version, entries));
    }

    private static T? Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return reader.Read() ? read(reader) : default;
    }
}
