using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Storage;

/// <summary>
/// Copies the undelivered hits that can still be read out of a moved-aside database into the fresh one, so a
/// corrupt page elsewhere in the file (the watchlist, the audit log) does not cost the hits. Best effort: it
/// stops at the first unreadable page and keeps what it had. The moved file is opened read-only and kept.
/// </summary>
internal static class OutboxSalvage
{
    private const int ChunkSize = 1000;

    public static int Run(AgentDatabase database, string asidePath, ILogger logger)
    {
        var copied = 0;
        try
        {
            using var source = new SqliteConnection(
                new SqliteConnectionStringBuilder { DataSource = asidePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            source.Open();
            using var read = source.CreateCommand();
            // A file shorter than its header says is refused outright unless the schema is "writable"
            // (lockBtree in btree.c); harmless here, the connection is read-only. Set before anything reads the schema.
            read.CommandText = "PRAGMA writable_schema = ON";
            read.ExecuteNonQuery();
            read.CommandText = """
                SELECT seq, event_id, topic, payload, created_at, attempts, last_attempt_at
                FROM outbox WHERE seq > $after ORDER BY seq LIMIT $limit
                """;
            var after = read.Parameters.AddWithValue("$after", 0L);
            read.Parameters.AddWithValue("$limit", ChunkSize);

            using var target = new StorageConnection(database, Durability.Full);
            using var insert = target.Prepare(
                """
                INSERT INTO outbox (event_id, topic, payload, created_at, attempts, last_attempt_at)
                VALUES ($event_id, $topic, $payload, $created_at, $attempts, $last_attempt_at)
                ON CONFLICT (event_id) DO NOTHING
                """,
                "$event_id", "$topic", "$payload", "$created_at", "$attempts", "$last_attempt_at");

            while (true)
            {
                var rows = new List<object?[]>(ChunkSize);
                using (var reader = read.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        var row = new object?[7];
                        reader.GetValues(row!);
                        rows.Add(row);
                    }
                }

                if (rows.Count == 0)
                {
                    break;
                }

                copied += target.InTransaction("salvaged hits", () =>
                {
                    var n = 0;
                    foreach (var row in rows)
                    {
                        for (var i = 0; i < 6; i++)
                        {
                            insert.Parameters[i].Value = row[i + 1];
                        }

                        n += insert.ExecuteNonQuery();
                    }

                    return n;
                });
                after.Value = rows[^1][0];
            }

            Log.HitsSalvaged(logger, copied, asidePath);
        }
        catch (Exception ex) when (ex is SqliteException or StorageException)
        {
            Log.SalvageStopped(logger, asidePath, copied, ex.Message);
        }

        return copied;
    }
}
