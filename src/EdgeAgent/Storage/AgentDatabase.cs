using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Storage;

/// <summary>
/// The box's one database file, <c>&lt;Storage:Directory&gt;/edge-anpr.db</c>: watchlist, sync state, outbox, audit log.
/// <see cref="Open(string, TimeProvider, ILogger)"/> checks it, moves a corrupt one aside and migrates the schema;
/// the stores then open their own connections from it (<see cref="OpenConnection"/>). Holds no open handle itself.
/// </summary>
public sealed class AgentDatabase
{
    public const string FileName = "edge-anpr.db";

    /// <summary>
    /// How long a writer waits for another connection's write transaction (a large watchlist snapshot, the CLI)
    /// before giving up with SQLITE_BUSY.
    /// </summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The WAL file is truncated back to this after a checkpoint, so a drained backlog gives its disk back.</summary>
    private const long JournalSizeLimit = 64L * 1024 * 1024;

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private static readonly string[] CompanionSuffixes = ["-wal", "-shm", "-journal"];

    private AgentDatabase(string directory)
    {
        Directory = directory;
        Path = System.IO.Path.Combine(directory, FileName);
    }

    /// <summary>The state directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Where a corrupt database was moved at this start, or null; for the heartbeat and <c>doctor</c>.</summary>
    public string? MovedAsidePath { get; private set; }

    /// <summary>Hits copied out of the moved-aside database into the fresh one (best effort).</summary>
    public int SalvagedHits { get; private set; }

    /// <summary>Runs on every connection this database opens (tests use it to cap the page count).</summary>
    internal Action<SqliteConnection>? ConnectionHook { get; set; }

    public static AgentDatabase Open(StorageOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Open(options.Directory, time, logger);
    }

    /// <summary>
    /// Opens or creates the database: WAL, integrity check, forward migrations. A database that fails its check
    /// is moved aside to <c>edge-anpr.db.corrupt-&lt;UTC time&gt;</c> (with its -wal/-shm), logged as an error,
    /// and replaced by a fresh one, so the service never crash-loops on a bad file.
    /// </summary>
    /// <exception cref="DatabaseVersionException">The file was written by a newer release; it is left untouched.</exception>
    public static AgentDatabase Open(string directory, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        SQLitePCL.Batteries_V2.Init();

        var database = new AgentDatabase(System.IO.Path.GetFullPath(directory));
        System.IO.Directory.CreateDirectory(database.Directory);
        database.Start(time, logger);
        return database;
    }

    /// <summary>A new connection with this database's settings; the caller disposes it.</summary>
    internal SqliteConnection OpenConnection(Durability durability)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // No pool: every store holds its connections for the life of the process, and a corrupt file must
            // really be closed before it is renamed.
            Pooling = false,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var synchronous = durability == Durability.Full ? "FULL" : "NORMAL";
            Execute(connection, $"""
                PRAGMA synchronous = {synchronous};
                PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};
                PRAGMA foreign_keys = ON;
                PRAGMA journal_size_limit = {JournalSizeLimit};
                """);
            ConnectionHook?.Invoke(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void Start(TimeProvider time, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        var problem = Check();
        if (problem is not null)
        {
            MoveAside(problem, time, logger);
        }

        using (var storage = new StorageConnection(this, Durability.Full))
        {
            var journal = Convert.ToString(ExecuteScalar(storage.Connection, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new StorageException($"Database {Path}: could not switch to WAL (journal mode stays '{journal}'); the state directory must be on a local filesystem.");
            }

            var before = Migrations.Apply(storage, Path);
            if (before != Migrations.Latest)
            {
                Log.Migrated(logger, Path, before, Migrations.Latest);
            }
        }

        if (MovedAsidePath is { } aside)
        {
            SalvagedHits = OutboxSalvage.Run(this, aside, logger);
        }

        Log.DatabaseOpened(logger, Path, Migrations.Latest, FileLength(Path) + FileLength(Path + "-wal"), Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Null when the file is missing, empty or sound; otherwise what is wrong with it, in one line.</summary>
    private string? Check()
    {
        if (!File.Exists(Path))
        {
            return CompanionSuffixes.Any(s => File.Exists(Path + s))
                ? "the database file is missing but its -wal/-shm remain; they would be replayed into a new file"
                : null;
        }

        // Read the header ourselves first (https://sqlite.org/fileformat.html#the_database_header): a newer
        // release's file must be refused even if this build's SQLite cannot parse its schema (which it would
        // report as SQLITE_CORRUPT), and garbage need not reach SQLite at all.
        Span<byte> header = stackalloc byte[100];
        int read;
        using (var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        if (read > 0 && (read < header.Length || !header[..16].SequenceEqual("SQLite format 3\0"u8)))
        {
            return $"not an SQLite database (file starts with {Convert.ToHexString(header[..Math.Min(read, 16)])})";
        }

        if (read == header.Length)
        {
            // user_version: 4 bytes big-endian at offset 60. Only the file: a newer version still in the WAL is caught below.
            var headerVersion = BinaryPrimitives.ReadInt32BigEndian(header[60..]);
            if (headerVersion > Migrations.Latest)
            {
                throw new DatabaseVersionException(Path, headerVersion, Migrations.Latest);
            }
        }

        try
        {
            using var connection = OpenConnection(Durability.Normal);
            var version = Migrations.ReadVersion(connection);
            if (version > Migrations.Latest)
            {
                throw new DatabaseVersionException(Path, version, Migrations.Latest);
            }

            return QuickCheck(connection);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            return $"{ex.Message.TrimEnd('.')} (SQLite error {ex.SqliteErrorCode})";
        }
    }

    /// <summary>
    /// <c>PRAGMA quick_check</c>: every page and record is read and checked, but not index-versus-table agreement,
    /// which <c>integrity_check</c> adds at several times the cost (measured in tests/EdgeAgent.Bench/OutboxBench.cs).
    /// </summary>
    private static string? QuickCheck(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check(5)";
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return lines is ["ok"] ? null : "integrity check failed: " + string.Join("; ", lines);
    }

    private void MoveAside(string problem, TimeProvider time, ILogger logger)
    {
        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var aside = $"{Path}.corrupt-{stamp}";
        for (var n = 2; CompanionSuffixes.Prepend("").Any(s => File.Exists(aside + s)); n++)
        {
            aside = $"{Path}.corrupt-{stamp}-{n}";
        }

        // The -wal keeps its suffix next to the moved file, so `sqlite3 edge-anpr.db.corrupt-...` still sees it.
        foreach (var suffix in CompanionSuffixes.Prepend(""))
        {
            if (File.Exists(Path + suffix))
            {
                File.Move(Path + suffix, aside + suffix);
            }
        }

        MovedAsidePath = aside;
        Log.DatabaseMovedAside(logger, Path, aside, problem);
    }

    private static long FileLength(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? ExecuteScalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
