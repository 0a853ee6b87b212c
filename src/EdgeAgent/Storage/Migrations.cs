using Microsoft.Data.Sqlite;

namespace EdgeAnpr.Agent.Storage;

/// <summary>
/// The schema, as an ordered list of forward migrations. Script N takes <c>PRAGMA user_version</c> from N-1 to N
/// and runs in one transaction with the version bump, so a power cut leaves either the old or the new schema.
/// Never edit a released script: append a new one.
/// </summary>
/// <remarks>
/// Times are INTEGER unix milliseconds, UTC, everywhere (compact, sortable, no parsing, no time-zone doubt);
/// <c>datetime(x / 1000, 'unixepoch')</c> shows them in the sqlite3 shell.
/// </remarks>
internal static class Migrations
{
    /// <summary>v1: watchlist, its sync state, the outbox (with running totals) and the audit log.</summary>
    private const string V1 = """
        CREATE TABLE watchlist (
            id          TEXT PRIMARY KEY NOT NULL,    -- assigned by the source: the station's entry id, or 'local-...'
            plate       TEXT NOT NULL,                -- canonical text, as the plate reader emits it
            region      TEXT NOT NULL,                -- region or country code
            reason      TEXT NOT NULL,
            category    TEXT,
            priority    INTEGER NOT NULL DEFAULT 0,
            valid_from  INTEGER,                      -- unix ms UTC, inclusive; NULL: always was
            valid_until INTEGER,                      -- unix ms UTC, exclusive; NULL: never ends
            source      TEXT NOT NULL CHECK (source IN ('station', 'local')),
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        );
        CREATE INDEX watchlist_plate ON watchlist (plate);

        CREATE TABLE watchlist_sync (
            id            INTEGER PRIMARY KEY CHECK (id = 1),   -- a single row
            version       INTEGER NOT NULL,
            snapshot_hash TEXT NOT NULL,
            applied_at    INTEGER NOT NULL,
            key_id        TEXT NOT NULL
        );

        -- AUTOINCREMENT: seq never goes back or is reused, so "oldest first" and afterSeq cursors hold across deletes.
        CREATE TABLE outbox (
            seq             INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id        TEXT NOT NULL UNIQUE,
            topic           TEXT NOT NULL,
            payload         BLOB NOT NULL,
            created_at      INTEGER NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            last_attempt_at INTEGER
        );

        -- Count and size kept by triggers in the same transactions, so the bounds check costs one row read,
        -- not a scan of every payload, and stays right whoever writes (service or CLI).
        CREATE TABLE outbox_totals (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            items INTEGER NOT NULL,
            bytes INTEGER NOT NULL
        );
        INSERT INTO outbox_totals (id, items, bytes) VALUES (1, 0, 0);
        CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox BEGIN
            UPDATE outbox_totals SET items = items + 1, bytes = bytes + length(NEW.payload) WHERE id = 1;
        END;
        CREATE TRIGGER outbox_deleted AFTER DELETE ON outbox BEGIN
            UPDATE outbox_totals SET items = items - 1, bytes = bytes - length(OLD.payload) WHERE id = 1;
        END;

        CREATE TABLE audit (
            id      INTEGER PRIMARY KEY AUTOINCREMENT,
            at      INTEGER NOT NULL,                 -- unix ms UTC
            actor   TEXT NOT NULL,                    -- 'station:<key id>' or 'local:<unix user>'
            action  TEXT NOT NULL,                    -- 'watchlist.snapshot', 'watchlist.delta', ...
            detail  TEXT NOT NULL,                    -- JSON object
            outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'rejected')),
            reason  TEXT
        );
        CREATE INDEX audit_at ON audit (at);
        """;

    public static IReadOnlyList<string> Scripts { get; } = [V1];

    /// <summary>The schema version this build writes.</summary>
    public static int Latest => Scripts.Count;

    public static int ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Applies the missing scripts in order; returns the version found before.</summary>
    /// <exception cref="DatabaseVersionException">The database is newer than <see cref="Latest"/>.</exception>
    public static int Apply(StorageConnection storage, string path)
    {
        var connection = storage.Connection;
        var found = ReadVersion(connection);
        if (found > Latest)
        {
            throw new DatabaseVersionException(path, found, Latest);
        }

        for (var version = found + 1; version <= Latest; version++)
        {
            var target = version;
            storage.InTransaction($"schema version {target}", () =>
            {
                // Read again under the write lock: another process (the CLI) may have migrated meanwhile.
                if (ReadVersion(connection) >= target)
                {
                    return 0;
                }

                using var command = connection.CreateCommand();
                command.CommandText = Scripts[target - 1] + $"\nPRAGMA user_version = {target};";
                return command.ExecuteNonQuery();
            });
        }

        return found;
    }
}
