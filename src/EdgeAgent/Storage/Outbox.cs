using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace EdgeAnpr.Agent.Storage;

/// <summary>
/// The durable outbox of hits not yet acknowledged by the broker. A hit is committed here (and fsynced) before
/// it is published, and deleted only when its PUBACK arrives; <see cref="PeekOldest"/> hands them out oldest
/// first. A crash between PUBACK and delete repeats a hit (stations deduplicate on its event id); nothing
/// committed is ever lost except by a counted, logged eviction over the configured bounds.
/// </summary>
/// <remarks>
/// <para>
/// Durability: inserts run on a connection with <c>PRAGMA synchronous=FULL</c>. In WAL mode FULL fsyncs the WAL
/// at every commit, so a hit whose <see cref="Enqueue"/> has returned survives a power cut; NORMAL would only
/// fsync at checkpoints and could roll back the last hits on power loss, which the promise "nothing lost" does
/// not allow. Deletes after PUBACK, attempt counters and evictions run on a second connection with
/// <c>synchronous=NORMAL</c>: losing one of those to a power cut only resends a hit the station will drop as a
/// duplicate, and it spares an fsync per acknowledgement (any later FULL commit syncs them anyway).
/// </para>
/// <para>
/// Throughput: an fsync per commit bounds one-hit-at-a-time commits to the disk's fsync rate (about 200/s on a
/// 4 ms-fsync disk). So inserts go through one committer thread that takes every hit queued while the previous
/// commit was under way and commits them in one transaction (group commit): blocking <see cref="Enqueue"/>
/// callers on several threads share fsyncs, <see cref="EnqueueAsync"/> lets one producer keep many hits in
/// flight, and <see cref="EnqueueMany"/> queues a batch that is committed together. Every caller is answered
/// only once its own hit is durable. All statements are prepared once and reused.
/// </para>
/// <para>
/// Thread safety: every member may be called from any thread (the pipeline's enqueue path, the publisher's
/// acknowledgement handling, the heartbeat). One lock serialises use of the two writing connections (the
/// committer thread takes it per batch), so the process never waits on its own SQLite write lock; a write may
/// wait for a commit's fsync (milliseconds) or, up to <see cref="AgentDatabase.BusyTimeout"/>, for another
/// connection's write (a watchlist snapshot). <see cref="PeekOldest"/> and <see cref="LastSeq"/> read on a third
/// connection under a lock of its own: in WAL mode a reader sees the last commit without waiting for a writer, so
/// the publisher reads the hit just committed while the next commit's fsync is under way.
/// <see cref="Dispose"/> commits what is already queued before closing.
/// </para>
/// <para>
/// Bounds: <see cref="OutboxOptions.MaxItems"/> and <see cref="OutboxOptions.MaxBytes"/> are checked after every
/// commit; <see cref="OutboxOptions.MaxAge"/> then and at every <see cref="EnforceBounds"/>, which the owner calls
/// at start and from its heartbeat. Eviction takes the oldest hits first (by seq) and stops at the first hit
/// within every bound, so a clock that jumped back cannot evict hits out of order.
/// </para>
/// </remarks>
public sealed class Outbox : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Lock _readLock = new();
    private readonly object _queueLock = new(); // a Monitor: the committer waits on it for work
    private readonly StorageConnection _durable;
    private readonly StorageConnection _relaxed;
    private readonly StorageConnection _reader;
    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _findSeq;
    private readonly SqliteCommand _peek;
    private readonly SqliteCommand _lastSeq;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _markAttempt;
    private readonly SqliteCommand _totals;
    private readonly SqliteCommand _oldest;
    private readonly SqliteCommand _walk;
    private readonly SqliteCommand _evictUpTo;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Thread _committer;
    private List<Pending> _queue = [];
    private bool _stopping;
    private long _evicted;
    private bool _disposed;

    /// <summary>Opens the outbox's connections on <paramref name="database"/>; dispose to close them.</summary>
    public Outbox(AgentDatabase database, OutboxOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _durable = new StorageConnection(database, Durability.Full);
        _relaxed = new StorageConnection(database, Durability.Normal);
        _reader = new StorageConnection(database, Durability.Normal);

        _insert = Durable("""
            INSERT INTO outbox (event_id, topic, payload, created_at) VALUES ($event_id, $topic, $payload, $created_at)
            ON CONFLICT (event_id) DO NOTHING
            """, "$event_id", "$topic", "$payload", "$created_at");
        _findSeq = Durable("SELECT seq FROM outbox WHERE event_id = $event_id", "$event_id");
        _peek = Reader("""
            SELECT seq, event_id, topic, payload, created_at, attempts, last_attempt_at
            FROM outbox WHERE seq > $after ORDER BY seq LIMIT $limit
            """, "$after", "$limit");
        _lastSeq = Reader("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'");
        _delete = Relaxed("DELETE FROM outbox WHERE seq = $seq", "$seq");
        _markAttempt = Relaxed("UPDATE outbox SET attempts = attempts + 1, last_attempt_at = $now WHERE seq = $seq", "$now", "$seq");
        _totals = Relaxed("SELECT items, bytes FROM outbox_totals WHERE id = 1");
        _oldest = Relaxed("SELECT created_at FROM outbox ORDER BY seq LIMIT 1");
        _walk = Relaxed("SELECT seq, event_id, created_at, length(payload) FROM outbox ORDER BY seq");
        _evictUpTo = Relaxed("DELETE FROM outbox WHERE seq <= $seq", "$seq");
        _committer = new Thread(CommitLoop) { IsBackground = true, Name = "outbox commit" };
        _committer.Start();
    }

    /// <summary>Hits stored and not yet acknowledged.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return (int)ReadTotals().Items;
            }
        }
    }

    /// <summary>Payload bytes stored.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return ReadTotals().Bytes;
            }
        }
    }

    /// <summary>How long the oldest stored hit has waited, or null when the outbox is empty.</summary>
    public TimeSpan? OldestAge
    {
        get
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                return ReadOldestCreatedAt() is { } created
                    ? TimeSpan.FromMilliseconds(Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - created))
                    : null;
            }
        }
    }

    /// <summary>Hits evicted over the bounds since this instance was created (for the heartbeat).</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>
    /// Stores one hit durably (committed and fsynced) and returns its seq. A hit whose event id is already stored
    /// is not stored twice: its existing seq is returned, so retrying after an exception is always safe.
    /// </summary>
    /// <exception cref="StorageFullException">Disk full; the hit was not stored. Keep it and retry.</exception>
    /// <exception cref="StorageException">Any other failure; the hit was not stored. Keep it and retry.</exception>
    public long Enqueue(string eventId, string topic, ReadOnlyMemory<byte> payload)
    {
        var pending = new Pending(new OutboxMessage(eventId, topic, payload));
        Submit([pending]);
        return pending.Completion.Task.GetAwaiter().GetResult();
    }

    /// <summary>Stores several hits in one durable transaction (one fsync); returns their seqs in order.</summary>
    /// <exception cref="StorageFullException">Disk full; none of the hits was stored.</exception>
    /// <exception cref="StorageException">Any other failure; none of the hits was stored.</exception>
    public IReadOnlyList<long> EnqueueMany(IReadOnlyList<OutboxMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return [];
        }

        var pending = messages.Select(m => new Pending(m)).ToArray();
        Submit(pending);
        // Queued in one go, so they are committed in one transaction: all stored or none.
        return pending.Select(p => p.Completion.Task.GetAwaiter().GetResult()).ToArray();
    }

    /// <summary>
    /// Queues one hit for the committer and returns a task that completes with its seq once the hit is durable
    /// (or fails with <see cref="StorageFullException"/>/<see cref="StorageException"/>, the hit not stored). A
    /// single producer can keep many of these outstanding: each fsync then commits every hit queued meanwhile,
    /// which is how one pipeline thread gets past the disk's fsync rate. Publish a hit only after its task completed.
    /// </summary>
    public Task<long> EnqueueAsync(string eventId, string topic, ReadOnlyMemory<byte> payload)
    {
        var pending = new Pending(new OutboxMessage(eventId, topic, payload));
        Submit([pending]);
        return pending.Completion.Task;
    }

    /// <summary>
    /// The seq of the last hit ever committed (deleted or not; 0 before the first): a hit with a higher seq was
    /// committed after this call. Read without waiting for a commit under way.
    /// </summary>
    public long LastSeq
    {
        get
        {
            lock (_readLock)
            {
                ThrowIfDisposed();
                return _lastSeq.ExecuteScalar() is long seq ? seq : 0;
            }
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> stored hits with seq above <paramref name="afterSeq"/>, oldest first, as last
    /// committed. Read without waiting for a commit under way.
    /// </summary>
    public IReadOnlyList<OutboxItem> PeekOldest(int max, long afterSeq = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (_readLock)
        {
            ThrowIfDisposed();
            _peek.Parameters[0].Value = afterSeq;
            _peek.Parameters[1].Value = max;
            var items = new List<OutboxItem>(Math.Min(max, 256));
            using var reader = _peek.ExecuteReader();
            while (reader.Read())
            {
                items.Add(new OutboxItem(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetFieldValue<byte[]>(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                    reader.GetInt32(5),
                    reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
            }

            return items;
        }
    }

    /// <summary>Removes an acknowledged hit; false when it was not there (already deleted or evicted).</summary>
    public bool Delete(long seq) => DeleteMany([seq]) == 1;

    /// <summary>Removes acknowledged hits in one transaction; returns how many were there.</summary>
    public int DeleteMany(IEnumerable<long> seqs)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        lock (_lock)
        {
            ThrowIfDisposed();
            return _relaxed.InTransaction("an outbox delete", () =>
            {
                var deleted = 0;
                foreach (var seq in seqs)
                {
                    _delete.Parameters[0].Value = seq;
                    deleted += _delete.ExecuteNonQuery();
                }

                return deleted;
            });
        }
    }

    /// <summary>Counts a publish attempt of a hit and stamps its time; false when the hit is gone.</summary>
    public bool MarkAttempt(long seq)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return _relaxed.InTransaction("an outbox attempt", () =>
            {
                _markAttempt.Parameters[0].Value = _time.GetUtcNow().ToUnixTimeMilliseconds();
                _markAttempt.Parameters[1].Value = seq;
                return _markAttempt.ExecuteNonQuery();
            }) == 1;
        }
    }

    /// <summary>
    /// Evicts the oldest hits while any bound is exceeded (<see cref="OutboxOptions.MaxAge"/>,
    /// <see cref="OutboxOptions.MaxItems"/>, <see cref="OutboxOptions.MaxBytes"/>); counts them in
    /// <see cref="Evicted"/> and logs a warning naming the count and the range. Call at start and from the heartbeat.
    /// </summary>
    public OutboxEviction EnforceBounds()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return EvictLocked();
        }
    }

    /// <summary>Commits the hits already queued, stops the committer thread and closes the connections.</summary>
    public void Dispose()
    {
        lock (_queueLock)
        {
            _stopping = true;
            Monitor.PulseAll(_queueLock);
        }

        _committer.Join();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            // The reading lock too: a read must not find its command disposed under it.
            lock (_readLock)
            {
                _disposed = true;
                foreach (var command in _commands)
                {
                    command.Dispose();
                }

                _durable.Dispose();
                _relaxed.Dispose();
                _reader.Dispose();
            }
        }
    }

    /// <summary>The <c>PRAGMA synchronous</c> of the insert and the delete connections (2 = FULL, 1 = NORMAL), for tests.</summary>
    internal (long Inserts, long Deletes) SynchronousModes()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return (Synchronous(_durable), Synchronous(_relaxed));
        }

        static long Synchronous(StorageConnection storage)
        {
            using var command = storage.Connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            return (long)command.ExecuteScalar()!;
        }
    }

    private void Submit(Pending[] pending)
    {
        lock (_queueLock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _queue.AddRange(pending);
            Monitor.Pulse(_queueLock);
        }
    }

    /// <summary>
    /// The committer thread: takes everything queued, commits it in one transaction, answers each caller, repeats.
    /// A dedicated thread, not the pool: its callers block on it, and a starved pool must not stall durability.
    /// </summary>
    private void CommitLoop()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_queueLock)
            {
                while (_queue.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_queueLock);
                }

                if (_queue.Count == 0)
                {
                    return;
                }

                batch = _queue;
                _queue = [];
            }

            lock (_lock)
            {
                try
                {
                    WriteBatch(batch);
                }
#pragma warning disable CA1031 // The loop's catch: nothing may end the committer; each caller gets its own failure.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Fail(batch, ex);
                    Log.CommitFailed(_logger, batch.Count, ex);
                }
            }
        }
    }

    private void WriteBatch(List<Pending> batch)
    {
        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var what = batch.Count == 1 ? $"hit {batch[0].Message.EventId}" : $"{batch.Count} hits";
            _durable.InTransaction(what, () =>
            {
                foreach (var pending in batch)
                {
                    pending.Seq = Insert(pending.Message, now);
                }

                return batch.Count;
            });
            foreach (var pending in batch)
            {
                pending.Complete(seq: pending.Seq, error: null);
            }
        }
        catch (Exception ex) when (ex is SqliteException or StorageException)
        {
            // Each waiting caller gets its own exception object (they are thrown on different threads).
            foreach (var pending in batch)
            {
                var eventId = pending.Message.EventId;
                pending.Complete(0, ex is StorageFullException full
                    ? new StorageFullException(full.Directory, $"hit {eventId}", full.InnerException)
                    : new StorageException($"The outbox could not store hit {eventId}: {ex.Message}", ex));
            }

            return;
        }
        finally
        {
            // Never leave a waiting caller believing its hit was stored when the batch failed some other way.
            Fail(batch, null);
        }

        try
        {
            EvictLocked();
        }
        catch (Exception ex) when (ex is SqliteException or StorageException)
        {
            // The hits are stored; the bounds are checked again at the next commit and heartbeat.
            Log.BoundsCheckFailed(_logger, ex.Message);
        }
    }

    /// <summary>Gives every caller in the batch not yet answered a failure of its own.</summary>
    private static void Fail(List<Pending> batch, Exception? cause)
    {
        foreach (var pending in batch.Where(p => !p.Done))
        {
            var reason = cause?.Message ?? "the batch failed";
            pending.Complete(0, new StorageException($"The outbox could not store hit {pending.Message.EventId}: {reason}", cause));
        }
    }

    private long Insert(OutboxMessage message, long now)
    {
        _insert.Parameters[0].Value = message.EventId;
        _insert.Parameters[1].Value = message.Topic;
        _insert.Parameters[2].Value = AsArray(message.Payload);
        _insert.Parameters[3].Value = now;
        if (_insert.ExecuteNonQuery() == 1)
        {
            return raw.sqlite3_last_insert_rowid(_durable.Connection.Handle!);
        }

        // Already stored (a retry after an error whose commit did land): the hit keeps its first seq.
        _findSeq.Parameters[0].Value = message.EventId;
        return (long)_findSeq.ExecuteScalar()!;
    }

    private OutboxEviction EvictLocked()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var cutoff = now - (long)_options.MaxAge.TotalMilliseconds;
        var (items, bytes) = ReadTotals();
        if (items <= _options.MaxItems && bytes <= _options.MaxBytes && !(ReadOldestCreatedAt() < cutoff))
        {
            return default;
        }

        var (eviction, range, remaining) = _relaxed.InTransaction("an outbox eviction", () =>
        {
            (items, bytes) = ReadTotals();
            int byAge = 0, byItems = 0, byBytes = 0;
            var range = (FirstSeq: 0L, LastSeq: 0L, FirstEventId: "", LastEventId: "");
            using (var reader = _walk.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (reader.GetInt64(2) < cutoff)
                    {
                        byAge++;
                    }
                    else if (items > _options.MaxItems)
                    {
                        byItems++;
                    }
                    else if (bytes > _options.MaxBytes)
                    {
                        byBytes++;
                    }
                    else
                    {
                        break;
                    }

                    items--;
                    bytes -= reader.GetInt64(3);
                    range = range.FirstSeq == 0
                        ? (reader.GetInt64(0), reader.GetInt64(0), reader.GetString(1), reader.GetString(1))
                        : (range.FirstSeq, reader.GetInt64(0), range.FirstEventId, reader.GetString(1));
                }
            }

            if (range.LastSeq != 0)
            {
                _evictUpTo.Parameters[0].Value = range.LastSeq;
                _evictUpTo.ExecuteNonQuery();
            }

            return (new OutboxEviction(byAge, byItems, byBytes), range, items);
        });

        if (eviction.Total > 0)
        {
            var total = Interlocked.Add(ref _evicted, eviction.Total);
            Log.OutboxEvicted(
                _logger, eviction.Total, range.FirstSeq, range.LastSeq, range.FirstEventId, range.LastEventId,
                eviction.ByAge, _options.MaxAge, eviction.ByItems, _options.MaxItems, eviction.ByBytes, _options.MaxBytes, remaining, total);
        }

        return eviction;
    }

    private (long Items, long Bytes) ReadTotals()
    {
        ThrowIfDisposed();
        using var reader = _totals.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private long? ReadOldestCreatedAt() => _oldest.ExecuteScalar() is long created ? created : null;

    private static byte[] AsArray(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : payload.ToArray();

    private SqliteCommand Durable(string sql, params string[] parameters) => Track(_durable.Prepare(sql, parameters));

    private SqliteCommand Relaxed(string sql, params string[] parameters) => Track(_relaxed.Prepare(sql, parameters));

    private SqliteCommand Reader(string sql, params string[] parameters) => Track(_reader.Prepare(sql, parameters));

    private SqliteCommand Track(SqliteCommand command)
    {
        _commands.Add(command);
        return command;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>One caller's hit on its way through a group commit.</summary>
    private sealed class Pending
    {
        public Pending(OutboxMessage message)
        {
            ArgumentException.ThrowIfNullOrEmpty(message.EventId, nameof(message.EventId));
            ArgumentException.ThrowIfNullOrEmpty(message.Topic, nameof(message.Topic));
            Message = message;
        }

        public OutboxMessage Message { get; }

        /// <summary>
        /// Answered by the committer. Async continuations run on the pool, never on the committer; a caller blocked
        /// in <c>GetResult</c> is woken directly.
        /// </summary>
        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Seq { get; set; }

        public bool Done => Completion.Task.IsCompleted;

        public void Complete(long seq, StorageException? error)
        {
            if (error is null)
            {
                Completion.TrySetResult(seq);
            }
            else
            {
                Completion.TrySetException(error);
            }
        }
    }
}
