using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace EdgeAnpr.Agent.Storage;

/// <summary>
/// One SQLite connection with prepared <c>BEGIN IMMEDIATE</c>/<c>COMMIT</c>/<c>ROLLBACK</c> and SQLITE_FULL turned
/// into <see cref="StorageFullException"/>. Not thread-safe: each owner guards its connections with its own lock.
/// </summary>
internal sealed class StorageConnection : IDisposable
{
    private const int SqliteFull = 13;

    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;

    public StorageConnection(AgentDatabase database, Durability durability)
    {
        Directory = database.Directory;
        Connection = database.OpenConnection(durability);
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads first and writes later
        // can fail with SQLITE_BUSY_SNAPSHOT in WAL mode without the busy timeout ever being consulted.
        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
    }

    public SqliteConnection Connection { get; }

    public string Directory { get; }

    /// <summary>A prepared statement with the named parameters (<c>$name</c>), reused for every execution.</summary>
    public SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        command.Prepare();
        return command;
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction; on any failure rolls back and rethrows.</summary>
    /// <param name="what">Names what was being stored, for the disk-full message ("hit 1234", "the watchlist snapshot").</param>
    /// <exception cref="StorageFullException">The disk is full; nothing of <paramref name="work"/> was kept.</exception>
    public T InTransaction<T>(string what, Func<T> work)
    {
        try
        {
            _begin.ExecuteNonQuery();
            try
            {
                var result = work();
                _commit.ExecuteNonQuery();
                return result;
            }
            catch
            {
                RollbackIfOpen();
                throw;
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteFull)
        {
            throw new StorageFullException(Directory, what, ex);
        }
    }

    public void Dispose()
    {
        _begin.Dispose();
        _commit.Dispose();
        _rollback.Dispose();
        Connection.Dispose();
    }

    private void RollbackIfOpen()
    {
        // After SQLITE_FULL (and some I/O errors) SQLite may already have rolled the transaction back itself;
        // a ROLLBACK then would fail and hide the real error.
        if (raw.sqlite3_get_autocommit(Connection.Handle!) == 0)
        {
            _rollback.ExecuteNonQuery();
        }
    }
}
