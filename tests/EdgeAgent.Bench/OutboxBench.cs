using System.Diagnostics;
using EdgeAnpr.Agent.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAnpr.Bench;

/// <summary>
/// Durable outbox throughput on a real file: enqueue/s with <c>synchronous=FULL</c> (one hit per commit, four
/// threads group-committing, batches), the same with NORMAL for comparison, delete/s (per PUBACK and in
/// batches), and the start-up check's cost (quick_check vs integrity_check) on a full-size database.
/// Goals (DESIGN): sustained >= 2000 hits/s into the outbox with durable writes; drain >= 5000 hits/min.
/// </summary>
internal static class OutboxBench
{
    private const int PayloadBytes = 600; // a hit event's JSON, without image

    public static void Run() => Run(Path.Combine(Path.GetTempPath(), "edgeanpr-outbox-bench"));

    /// <param name="directory">Where to put the database: use the disk the box really writes to.</param>
    public static void Run(string directory)
    {
        Console.WriteLine($"outbox: {PayloadBytes}-byte hits, database in {directory}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        Console.WriteLine($"{"measure",-46} {"hits",7} {"per s",9} {"p50 ms",8} {"p99 ms",8}");

        Measure(directory, "enqueue, 1 thread, FULL (1 fsync per hit)", 2000, threads: 1, batch: 1);
        Measure(directory, "enqueue, 4 threads, FULL (group commit)", 8000, threads: 4, batch: 1);
        Measure(directory, "enqueue, 16 threads, FULL (group commit)", 16000, threads: 16, batch: 1);
        MeasureAsync(directory, "EnqueueAsync, 1 producer, 64 in flight, FULL", 20000, inFlight: 64);
        MeasureAsync(directory, "EnqueueAsync, 1 producer, 512 in flight, FULL", 20000, inFlight: 512);
        Measure(directory, "EnqueueMany x50, 1 thread, FULL", 20000, threads: 1, batch: 50);
        Measure(directory, "enqueue, 1 thread, NORMAL (NOT durable: compare)", 5000, threads: 1, batch: 1, synchronous: "NORMAL");
        Measure(directory, "enqueue, 1 thread, OFF (NOT durable: compare)", 5000, threads: 1, batch: 1, synchronous: "OFF");
        Drain(directory, 5000);
        Console.WriteLine();
        StartupCheck(directory, 100_000, 50_000);
    }

    private static void Measure(string directory, string name, int hits, int threads, int batch, string? synchronous = null)
    {
        using var scope = new Scope(directory, synchronous);
        var payload = new byte[PayloadBytes];
        var perThread = hits / threads;
        var latencies = new double[hits / batch];
        // Dedicated threads: pool threads blocked in fsync would be injected too slowly to measure group commit.
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var i = 0; i < perThread; i += batch)
            {
                var begin = Stopwatch.GetTimestamp();
                if (batch == 1)
                {
                    scope.Outbox.Enqueue($"{t}-{i}", "anpr/box/hit", payload);
                }
                else
                {
                    scope.Outbox.EnqueueMany(Enumerable.Range(i, batch).Select(n => new OutboxMessage($"{t}-{n}", "anpr/box/hit", payload)).ToArray());
                }

                latencies[((t * perThread) + i) / batch] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
            }
        })).ToArray();
        var started = Stopwatch.GetTimestamp();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Print(name, hits, elapsed, latencies);
    }

    /// <summary>One producer (the pipeline) that waits only when <paramref name="inFlight"/> hits are not yet durable.</summary>
    private static void MeasureAsync(string directory, string name, int hits, int inFlight)
    {
        using var scope = new Scope(directory, null);
        var payload = new byte[PayloadBytes];
        var latencies = new double[hits];
        var window = new Queue<(Task<long> Task, long Begin, int Index)>();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < hits; i++)
        {
            if (window.Count == inFlight)
            {
                Complete(window.Dequeue());
            }

            window.Enqueue((scope.Outbox.EnqueueAsync($"a{i}", "anpr/box/hit", payload), Stopwatch.GetTimestamp(), i));
        }

        while (window.Count > 0)
        {
            Complete(window.Dequeue());
        }

        Print(name, hits, Stopwatch.GetElapsedTime(started), latencies);

        void Complete((Task<long> Task, long Begin, int Index) item)
        {
            item.Task.GetAwaiter().GetResult();
            latencies[item.Index] = Stopwatch.GetElapsedTime(item.Begin).TotalMilliseconds;
        }
    }

    private static void Drain(string directory, int hits)
    {
        using var scope = new Scope(directory, null);
        var payload = new byte[PayloadBytes];
        for (var i = 0; i < hits * 2; i += 100)
        {
            scope.Outbox.EnqueueMany(Enumerable.Range(i, 100).Select(n => new OutboxMessage($"d{n}", "anpr/box/hit", payload)).ToArray());
        }

        // One Delete per PUBACK, as the publisher does when acknowledgements trickle in.
        var latencies = new double[hits];
        var started = Stopwatch.GetTimestamp();
        var n = 0;
        foreach (var item in scope.Outbox.PeekOldest(hits))
        {
            var begin = Stopwatch.GetTimestamp();
            scope.Outbox.Delete(item.Seq);
            latencies[n++] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        }

        Print("delete, one per PUBACK (NORMAL)", hits, Stopwatch.GetElapsedTime(started), latencies);

        // Peek a page, delete it in one transaction: a reconnect's drain.
        latencies = new double[hits / 100];
        started = Stopwatch.GetTimestamp();
        for (var page = 0; page < hits / 100; page++)
        {
            var begin = Stopwatch.GetTimestamp();
            scope.Outbox.DeleteMany(scope.Outbox.PeekOldest(100).Select(i => i.Seq));
            latencies[page] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        }

        Print("peek 100 + DeleteMany 100 (per page)", hits, Stopwatch.GetElapsedTime(started), latencies);
    }

    private static void StartupCheck(string directory, int outboxRows, int watchlistRows)
    {
        using (var scope = new Scope(directory, null))
        {
            var payload = new byte[PayloadBytes];
            for (var i = 0; i < outboxRows; i += 1000)
            {
                scope.Outbox.EnqueueMany(Enumerable.Range(i, 1000).Select(n => new OutboxMessage($"s{n}", "anpr/box/hit", payload)).ToArray());
            }

            using var watchlist = new WatchlistStore(scope.Database, TimeProvider.System);
            watchlist.ReplaceAll(
                Enumerable.Range(0, watchlistRows).Select(i => new WatchlistEntry($"w{i:D7}", $"{i:D8}", "IR", "stolen", null, 0, null, null, WatchlistSource.Station)).ToArray(),
                new WatchlistVersion(1, "hash", "key"),
                "station:key");
        }

        var path = Path.Combine(directory, AgentDatabase.FileName);
        Console.WriteLine($"start-up check on {outboxRows} outbox rows + {watchlistRows} watchlist entries, {new FileInfo(path).Length / 1048576.0:0.0} MB (page cache warm):");
        foreach (var pragma in new[] { "quick_check", "integrity_check" })
        {
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {pragma}";
            command.ExecuteScalar();
            var started = Stopwatch.GetTimestamp();
            var result = command.ExecuteScalar();
            Console.WriteLine($"  {pragma,-16} {Stopwatch.GetElapsedTime(started).TotalMilliseconds,8:0} ms ({result})");
        }

        var open = Stopwatch.GetTimestamp();
        AgentDatabase.Open(directory, TimeProvider.System, NullLogger.Instance);
        Console.WriteLine($"  AgentDatabase.Open (quick_check + migrations) {Stopwatch.GetElapsedTime(open).TotalMilliseconds:0} ms");
        Directory.Delete(directory, recursive: true);
    }

    private static void Print(string name, int hits, TimeSpan elapsed, double[] latencies)
    {
        Array.Sort(latencies);
        Console.WriteLine(
            $"{name,-46} {hits,7} {hits / elapsed.TotalSeconds,9:0} {latencies[latencies.Length / 2],8:0.00} {latencies[Math.Min(latencies.Length - 1, latencies.Length * 99 / 100)],8:0.00}");
    }

    /// <summary>A fresh database and outbox in <c>directory</c>, removed afterwards.</summary>
    private sealed class Scope : IDisposable
    {
        public Scope(string directory, string? synchronous)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Database = AgentDatabase.Open(directory, TimeProvider.System, NullLogger.Instance);
            if (synchronous is not null)
            {
                Database.ConnectionHook = c =>
                {
                    using var command = c.CreateCommand();
                    command.CommandText = $"PRAGMA synchronous = {synchronous}";
                    command.ExecuteNonQuery();
                };
            }

            Outbox = new Outbox(Database, new OutboxOptions { MaxItems = 10_000_000, MaxBytes = 1L << 40 }, TimeProvider.System, NullLogger.Instance);
        }

        public AgentDatabase Database { get; }

        public Outbox Outbox { get; }

        public void Dispose() => Outbox.Dispose();
    }
}
