using System.Collections.Concurrent;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EdgeAnpr.Agent.Tests.Storage;

public sealed class OutboxTests
{
    [Fact]
    public void Hits_come_back_oldest_first_and_leave_only_when_deleted()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();

        var seqs = Enumerable.Range(0, 5).Select(i => outbox.Enqueue($"e{i}", $"topic/{i}", new byte[] { (byte)i })).ToArray();

        Assert.Equal(seqs.Order(), seqs);
        var items = outbox.PeekOldest(3);
        Assert.Equal(["e0", "e1", "e2"], items.Select(i => i.EventId));
        Assert.Equal("topic/1", items[1].Topic);
        Assert.Equal(new byte[] { 2 }, items[2].Payload.ToArray());
        Assert.Equal(rig.Time.GetUtcNow(), items[0].CreatedAt);
        Assert.Equal(["e3", "e4"], outbox.PeekOldest(10, afterSeq: items[^1].Seq).Select(i => i.EventId));

        Assert.True(outbox.Delete(seqs[0]));
        Assert.False(outbox.Delete(seqs[0]));
        Assert.Equal(2, outbox.DeleteMany([seqs[2], seqs[3], 999]));

        Assert.Equal(["e1", "e4"], outbox.PeekOldest(10).Select(i => i.EventId));
        Assert.Equal(2, outbox.Count);
        Assert.Equal(2, outbox.Bytes);
    }

    [Fact]
    public void A_seq_is_never_reused_after_the_newest_hit_is_deleted()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();
        var first = outbox.Enqueue("a", "t", new byte[] { 1 });
        outbox.Delete(first);

        Assert.True(outbox.Enqueue("b", "t", new byte[] { 1 }) > first);
    }

    [Fact]
    public void Enqueueing_an_event_id_again_returns_its_first_seq_and_stores_it_once()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();

        var first = outbox.Enqueue("same", "t", new byte[] { 1 });
        var again = outbox.Enqueue("same", "t", new byte[] { 2 });
        var batch = outbox.EnqueueMany([new("x", "t", new byte[] { 1 }), new("same", "t", new byte[] { 3 }), new("x", "t", new byte[] { 4 })]);

        Assert.Equal(first, again);
        Assert.Equal(first, batch[1]);
        Assert.Equal(batch[0], batch[2]);
        Assert.Equal(2, outbox.Count);
        Assert.Equal(new byte[] { 1 }, outbox.PeekOldest(1)[0].Payload.ToArray());
    }

    [Fact]
    public void Attempts_are_counted_and_stamped()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();
        var seq = outbox.Enqueue("e", "t", new byte[] { 1 });
        rig.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(outbox.MarkAttempt(seq));
        Assert.True(outbox.MarkAttempt(seq));
        Assert.False(outbox.MarkAttempt(seq + 1));

        var item = Assert.Single(outbox.PeekOldest(1));
        Assert.Equal(2, item.Attempts);
        Assert.Equal(rig.Time.GetUtcNow(), item.LastAttemptAt);
    }

    [Fact]
    public void Oldest_age_follows_the_clock()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();
        Assert.Null(outbox.OldestAge);

        outbox.Enqueue("e", "t", new byte[] { 1 });
        rig.Time.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(TimeSpan.FromMinutes(3), outbox.OldestAge);
    }

    [Fact]
    public void Inserts_commit_with_synchronous_FULL_and_deletes_with_NORMAL()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();

        Assert.Equal((2L, 1L), outbox.SynchronousModes());
    }

    [Fact]
    public void A_committed_hit_is_in_the_file_before_the_outbox_is_closed()
    {
        using var rig = new StorageRig();
        var outbox = new Outbox(rig.OpenDatabase(), new OutboxOptions(), rig.Time, rig.Logger);
        var payloads = Enumerable.Range(0, 100).Select(i => BitConverter.GetBytes(i * 7919)).ToArray();
        for (var i = 0; i < payloads.Length; i++)
        {
            outbox.Enqueue($"e{i}", "t", payloads[i]);
        }

        // Not disposed, no checkpoint: a connection opened from scratch must find every hit (in the WAL).
        using var connection = rig.Raw();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, payload FROM outbox ORDER BY seq";
        using var reader = command.ExecuteReader();
        var read = 0;
        while (reader.Read())
        {
            Assert.Equal($"e{read}", reader.GetString(0));
            Assert.Equal(payloads[read], reader.GetFieldValue<byte[]>(1));
            read++;
        }

        Assert.Equal(100, read);
        Assert.True(new FileInfo(rig.DatabasePath + "-wal").Length > 0);
        GC.KeepAlive(outbox);
        outbox.Dispose();
    }

    [Fact]
    public void Eviction_over_max_items_drops_the_oldest_counts_and_logs()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox(options: new OutboxOptions { MaxItems = 3 });

        for (var i = 0; i < 5; i++)
        {
            outbox.Enqueue($"e{i}", "t", new byte[] { 1 });
        }

        Assert.Equal(["e2", "e3", "e4"], outbox.PeekOldest(10).Select(i => i.EventId));
        Assert.Equal(2, outbox.Evicted);
        var warnings = rig.Logger.Collector.GetSnapshot().Where(e => e.Id.Id == 3010).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.Contains("evicted 1 undelivered hit(s)", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("e0", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("1 over 3 items", warnings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Eviction_over_max_bytes_drops_the_oldest_until_the_payloads_fit()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox(options: new OutboxOptions { MaxBytes = 64 * 1024 });

        outbox.EnqueueMany(Enumerable.Range(0, 10).Select(i => new OutboxMessage($"e{i}", "t", new byte[10 * 1024])).ToArray());

        Assert.Equal(6, outbox.Count);
        Assert.Equal(60 * 1024, outbox.Bytes);
        Assert.Equal("e4", outbox.PeekOldest(1)[0].EventId);
        Assert.Equal(4, outbox.Evicted);
        var warning = Assert.Single(rig.Logger.Collector.GetSnapshot(), e => e.Id.Id == 3010);
        Assert.Contains("4 over 65536 bytes", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Eviction_by_age_happens_when_the_bounds_are_enforced()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox(options: new OutboxOptions { MaxAge = TimeSpan.FromDays(1) });
        outbox.Enqueue("old1", "t", new byte[] { 1 });
        outbox.Enqueue("old2", "t", new byte[] { 1 });
        rig.Time.Advance(TimeSpan.FromHours(20));
        outbox.Enqueue("young", "t", new byte[] { 1 });
        rig.Time.Advance(TimeSpan.FromHours(5));

        var eviction = outbox.EnforceBounds();

        Assert.Equal(new OutboxEviction(ByAge: 2, ByItems: 0, ByBytes: 0), eviction);
        Assert.Equal(["young"], outbox.PeekOldest(10).Select(i => i.EventId));
        Assert.Equal(2, outbox.Evicted);
        Assert.Equal(default, outbox.EnforceBounds());
        var warning = Assert.Single(rig.Logger.Collector.GetSnapshot(), e => e.Id.Id == 3010);
        Assert.Contains("2 older than 1.00:00:00", warning.Message, StringComparison.Ordinal);
        Assert.Contains("old1..old2", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_database_surfaces_as_disk_full_naming_the_directory_and_stores_nothing()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();
        // Cap every connection at a few pages more than the empty schema needs.
        database.ConnectionHook = c => Execute(c, "PRAGMA max_page_count = 40");
        var outbox = rig.OpenOutbox(database);

        var stored = new List<string>();
        var ex = Assert.Throws<StorageFullException>(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                outbox.Enqueue($"e{i}", "t", new byte[2000]);
                stored.Add($"e{i}");
            }
        });

        Assert.Contains("Disk full", ex.Message, StringComparison.Ordinal);
        Assert.Contains(rig.Directory, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"e{stored.Count}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(rig.Directory, ex.Directory);
        Assert.NotEmpty(stored);
        Assert.Equal(stored, outbox.PeekOldest(1000).Select(i => i.EventId));
        Assert.Equal(stored.Count, outbox.Count);

        // Once acknowledged hits make room, the kept hit goes in on retry.
        outbox.DeleteMany(outbox.PeekOldest(5).Select(i => i.Seq));
        outbox.Enqueue($"e{stored.Count}", "t", new byte[2000]);
        Assert.Equal(stored.Count - 4, outbox.Count);
    }

    [Fact]
    public void A_batch_that_hits_disk_full_stores_none_of_its_hits()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();
        database.ConnectionHook = c => Execute(c, "PRAGMA max_page_count = 40");
        var outbox = rig.OpenOutbox(database);

        var ex = Assert.Throws<StorageFullException>(() =>
            outbox.EnqueueMany(Enumerable.Range(0, 200).Select(i => new OutboxMessage($"e{i}", "t", new byte[2000])).ToArray()));

        Assert.Contains("e0", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, outbox.Count);
        Assert.Equal(0L, rig.Scalar("SELECT COUNT(*) FROM outbox"));
    }

    [RootFact]
    public void A_real_full_filesystem_surfaces_as_disk_full()
    {
        using var rig = new StorageRig();
        var mount = Path.Combine(rig.Directory, "tiny");
        Directory.CreateDirectory(mount);
        RootFactAttribute.Run("mount", $"-t tmpfs -o size=400k tmpfs {mount}");
        try
        {
            var database = AgentDatabase.Open(mount, rig.Time, rig.Logger);
            using var outbox = new Outbox(database, new OutboxOptions(), rig.Time, rig.Logger);
            var stored = 0;
            var ex = Assert.Throws<StorageFullException>(() =>
            {
                for (; stored < 10_000; stored++)
                {
                    outbox.Enqueue($"e{stored}", "t", new byte[4000]);
                }
            });

            Assert.Contains("Disk full", ex.Message, StringComparison.Ordinal);
            Assert.Contains(mount, ex.Message, StringComparison.Ordinal);
            Assert.Equal(stored, outbox.Count);
            Assert.Equal($"e{stored - 1}", outbox.PeekOldest(1, afterSeq: stored - 1)[0].EventId);
        }
        finally
        {
            RootFactAttribute.Run("umount", mount);
        }
    }

    [Fact]
    public async Task Four_writers_and_a_deleter_keep_the_counts_right()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();
        const int Writers = 4;
        const int PerWriter = 250;
        var seqs = new ConcurrentBag<long>();
        var deleted = 0;
        var writing = Writers;

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    seqs.Add(outbox.Enqueue($"w{w}-{i}", "t", new byte[w + 1]));
                }

                Interlocked.Decrement(ref writing);
            },
            TaskCreationOptions.LongRunning)).ToArray();
        var deleter = Task.Factory.StartNew(
            () =>
            {
                while (Volatile.Read(ref writing) > 0 || outbox.Count > 0)
                {
                    var batch = outbox.PeekOldest(50);
                    deleted += outbox.DeleteMany(batch.Select(i => i.Seq));
                }
            },
            TaskCreationOptions.LongRunning);
        await Task.WhenAll([.. writers, deleter]).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(Writers * PerWriter, seqs.Distinct().Count());
        Assert.Equal(Writers * PerWriter, deleted);
        Assert.Equal(0, outbox.Count);
        Assert.Equal(0, outbox.Bytes);
        Assert.Equal(0L, rig.Scalar("SELECT COUNT(*) FROM outbox"));
        rig.Logger.AssertNoErrors();
    }

    [Fact]
    public async Task One_producer_with_many_hits_in_flight_gets_them_all_stored_in_order()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();

        var tasks = Enumerable.Range(0, 500).Select(i => outbox.EnqueueAsync($"e{i}", "t", new byte[] { (byte)i })).ToArray();
        var seqs = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(500, seqs.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"e{i}"), outbox.PeekOldest(1000).Select(i => i.EventId));
        Assert.Equal(seqs[0], await outbox.EnqueueAsync("e0", "t", new byte[] { 9 }));
        rig.Logger.AssertNoErrors();
    }

    [Fact]
    public async Task Disposing_commits_the_hits_already_queued_and_refuses_new_ones()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();
        var outbox = new Outbox(database, new OutboxOptions(), rig.Time, rig.Logger);
        var tasks = Enumerable.Range(0, 200).Select(i => outbox.EnqueueAsync($"e{i}", "t", new byte[] { 1 })).ToArray();

        outbox.Dispose();

        Assert.All(tasks, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(200L, rig.Scalar("SELECT COUNT(*) FROM outbox"));
        Assert.Throws<ObjectDisposedException>(() => outbox.Enqueue("late", "t", new byte[] { 1 }));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => outbox.EnqueueAsync("late", "t", new byte[] { 1 }));
    }

    [Fact]
    public async Task A_hit_in_flight_on_a_full_disk_fails_its_task_with_disk_full()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();
        database.ConnectionHook = c => Execute(c, "PRAGMA max_page_count = 40");
        var outbox = rig.OpenOutbox(database);

        var tasks = Enumerable.Range(0, 200).Select(i => outbox.EnqueueAsync($"e{i}", "t", new byte[2000])).ToArray();
        var outcomes = await Task.WhenAll(tasks.Select(async t =>
        {
            try
            {
                await t;
                return "stored";
            }
            catch (StorageFullException ex)
            {
                Assert.Contains(rig.Directory, ex.Message, StringComparison.Ordinal);
                return "full";
            }
        }));

        Assert.Contains("full", outcomes);
        Assert.Equal(outcomes.Count(o => o == "stored"), outbox.Count);
    }

    [Fact]
    public void Counts_stay_right_when_another_process_writes_the_same_file()
    {
        using var rig = new StorageRig();
        var outbox = rig.OpenOutbox();
        outbox.Enqueue("mine", "t", new byte[] { 1, 2, 3 });

        using var other = rig.OpenOutbox(rig.OpenDatabase());
        other.Enqueue("theirs", "t", new byte[] { 1 });
        other.Delete(outbox.PeekOldest(1)[0].Seq);

        Assert.Equal(1, outbox.Count);
        Assert.Equal(1, outbox.Bytes);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
