using System.Buffers.Binary;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Tests.Storage;

public sealed class AgentDatabaseTests
{
    [Fact]
    public void An_empty_directory_gets_a_database_at_the_latest_schema_in_WAL_mode()
    {
        using var rig = new StorageRig();

        var database = rig.OpenDatabase();

        Assert.Equal(rig.DatabasePath, database.Path);
        Assert.Equal((long)Migrations.Latest, rig.Scalar("PRAGMA user_version"));
        Assert.Equal("wal", rig.Scalar("PRAGMA journal_mode"));
        var tables = Query(rig, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        Assert.Subset(tables.ToHashSet(), new HashSet<string> { "audit", "outbox", "outbox_totals", "watchlist", "watchlist_sync" });
        Assert.Contains("watchlist_plate", Query(rig, "SELECT name FROM sqlite_master WHERE type = 'index'"));
        Assert.Null(database.MovedAsidePath);
        rig.Logger.AssertNoErrors();
    }

    [Fact]
    public void A_missing_directory_is_created()
    {
        using var rig = new StorageRig();
        var nested = Path.Combine(rig.Directory, "a", "b");

        var database = AgentDatabase.Open(nested, rig.Time, rig.Logger);

        Assert.True(File.Exists(database.Path));
    }

    [Fact]
    public void Connections_are_durable_or_relaxed_as_asked_with_foreign_keys_and_a_busy_timeout()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();

        using var full = database.OpenConnection(Durability.Full);
        using var normal = database.OpenConnection(Durability.Normal);

        Assert.Equal(2L, Pragma(full, "synchronous"));
        Assert.Equal(1L, Pragma(normal, "synchronous"));
        Assert.Equal(1L, Pragma(full, "foreign_keys"));
        Assert.Equal((long)AgentDatabase.BusyTimeout.TotalMilliseconds, Pragma(full, "busy_timeout"));
    }

    [Fact]
    public void Reopening_keeps_the_data_and_does_not_migrate_again()
    {
        using var rig = new StorageRig();
        using (var outbox = new Outbox(rig.OpenDatabase(), new OutboxOptions(), rig.Time, rig.Logger))
        {
            outbox.Enqueue("e1", "t", "hello"u8.ToArray());
        }

        using var reopened = rig.OpenOutbox();

        var item = Assert.Single(reopened.PeekOldest(10));
        Assert.Equal("e1", item.EventId);
        Assert.Single(rig.Logger.Collector.GetSnapshot(), e => e.Id.Id == 3001);
    }

    [Fact]
    public void Garbage_in_the_file_is_moved_aside_loudly_and_a_fresh_database_works()
    {
        using var rig = new StorageRig();
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(rig.DatabasePath, garbage);
        File.WriteAllBytes(rig.DatabasePath + "-wal", [1, 2, 3]);

        var database = rig.OpenDatabase();

        var aside = database.MovedAsidePath;
        Assert.NotNull(aside);
        Assert.Equal(rig.DatabasePath + ".corrupt-20250101T000000Z", aside);
        Assert.Equal(garbage, File.ReadAllBytes(aside));
        Assert.True(File.Exists(aside + "-wal"));
        var error = Assert.Single(rig.Logger.Errors, e => e.Id.Id == 3002);
        Assert.Contains(rig.DatabasePath, error.Message, StringComparison.Ordinal);
        Assert.Contains(aside, error.Message, StringComparison.Ordinal);
        Assert.Contains("not an SQLite database", error.Message, StringComparison.Ordinal);

        using var outbox = rig.OpenOutbox(database);
        outbox.Enqueue("fresh", "t", new byte[] { 1 });
        Assert.Equal(1, outbox.Count);
    }

    [Fact]
    public void A_file_too_short_for_a_header_is_moved_aside()
    {
        using var rig = new StorageRig();
        File.WriteAllText(rig.DatabasePath, "SQLite");

        var database = rig.OpenDatabase();

        Assert.NotNull(database.MovedAsidePath);
        Assert.Equal(0L, rig.Scalar("SELECT COUNT(*) FROM outbox"));
    }

    [Fact]
    public void A_truncated_database_is_moved_aside_and_its_readable_hits_are_salvaged()
    {
        using var rig = new StorageRig();
        using (var outbox = new Outbox(rig.OpenDatabase(), new OutboxOptions(), rig.Time, rig.Logger))
        using (var watchlist = new WatchlistStore(rig.OpenDatabase(), rig.Time))
        {
            outbox.EnqueueMany(Enumerable.Range(0, 20).Select(i => new OutboxMessage($"early-{i}", "t", new byte[100])).ToArray());
            watchlist.ReplaceAll(
                Enumerable.Range(0, 5000).Select(i => new WatchlistEntry($"w{i:D5}", $"P{i:D6}", "IR", "stolen", null, 0, null, null, WatchlistSource.Station)).ToArray(),
                new WatchlistVersion(1, "h", "k"),
                "station:k");
        }

        // All connections closed: the WAL is checkpointed into the file. Cut the file's second half off.
        Assert.False(File.Exists(rig.DatabasePath + "-wal"));
        var length = new FileInfo(rig.DatabasePath).Length;
        using (var file = new FileStream(rig.DatabasePath, FileMode.Open))
        {
            file.SetLength(length / 2);
        }

        var database = rig.OpenDatabase();

        Assert.NotNull(database.MovedAsidePath);
        Assert.Equal(length / 2, new FileInfo(database.MovedAsidePath).Length);
        var error = Assert.Single(rig.Logger.Errors, e => e.Id.Id == 3002);
        Assert.Contains(database.MovedAsidePath, error.Message, StringComparison.Ordinal);
        // The outbox pages were written first, so they lie in the surviving half.
        Assert.Equal(20, database.SalvagedHits);
        using var fresh = rig.OpenOutbox(database);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"early-{i}"), fresh.PeekOldest(100).Select(i => i.EventId));
        using var store = rig.Own(new WatchlistStore(database, rig.Time));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void A_database_from_a_newer_release_is_refused_and_left_untouched()
    {
        using var rig = new StorageRig();
        rig.OpenDatabase();
        rig.Scalar($"PRAGMA user_version = {Migrations.Latest + 1}");
        var before = File.ReadAllBytes(rig.DatabasePath);

        var ex = Assert.Throws<DatabaseVersionException>(rig.OpenDatabase);

        Assert.Contains($"schema version {Migrations.Latest + 1}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("newer", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(rig.DatabasePath));
        Assert.Empty(Directory.GetFiles(rig.Directory, "*.corrupt-*"));
    }

    [Fact]
    public void A_newer_release_whose_schema_this_sqlite_cannot_parse_is_still_refused_not_moved_aside()
    {
        using var rig = new StorageRig();
        rig.OpenDatabase();
        rig.Scalar("PRAGMA journal_mode = DELETE");
        // A header claiming a newer schema in front of pages that no longer parse.
        var bytes = File.ReadAllBytes(rig.DatabasePath);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(60), Migrations.Latest + 5);
        bytes.AsSpan(100, 200).Fill(0xEE);
        File.WriteAllBytes(rig.DatabasePath, bytes);

        Assert.Throws<DatabaseVersionException>(rig.OpenDatabase);

        Assert.Empty(Directory.GetFiles(rig.Directory, "*.corrupt-*"));
    }

    [Fact]
    public void A_leftover_wal_without_its_database_is_moved_aside_not_replayed()
    {
        using var rig = new StorageRig();
        File.WriteAllBytes(rig.DatabasePath + "-wal", new byte[64]);

        var database = rig.OpenDatabase();

        Assert.NotNull(database.MovedAsidePath);
        Assert.True(File.Exists(database.MovedAsidePath + "-wal"));
        Assert.Equal((long)Migrations.Latest, rig.Scalar("PRAGMA user_version"));
    }

    [Fact]
    public void Two_corruptions_in_the_same_second_do_not_overwrite_each_other()
    {
        using var rig = new StorageRig();
        File.WriteAllText(rig.DatabasePath, new string('x', 500));
        var first = rig.OpenDatabase().MovedAsidePath;
        File.WriteAllText(rig.DatabasePath, new string('y', 500));

        var second = rig.OpenDatabase().MovedAsidePath;

        Assert.NotEqual(first, second);
        Assert.True(File.Exists(first));
        Assert.True(File.Exists(second));
    }

    private static List<string> Query(StorageRig rig, string sql)
    {
        using var connection = rig.Raw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static object? Pragma(Microsoft.Data.Sqlite.SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return command.ExecuteScalar();
    }
}
