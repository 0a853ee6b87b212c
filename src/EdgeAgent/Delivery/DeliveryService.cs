using System.Text.Json;
using System.Threading.Channels;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>
/// Gets every hit to the broker at least once. <see cref="SubmitAsync(HitEvent, CancellationToken)"/> commits the
/// hit to the durable <see cref="Outbox"/> and returns only then; a loop (this hosted service) publishes what the
/// outbox holds, oldest first, with at most <see cref="DeliveryOptions.MaxInFlight"/> unacknowledged, each waiting
/// for its PUBACK at most <see cref="DeliveryOptions.PublishTimeout"/>, and a hit is deleted only on its PUBACK. A
/// crash between PUBACK and delete sends a hit again on the next start; stations deduplicate on the event id.
/// </summary>
/// <remarks>
/// <para>
/// The outbox is the one record of a hit not yet acknowledged. In memory the loop keeps only how far it has read on
/// this connection (a seq) and how many publishes are under way (a count). MQTT client libraries do not resend an
/// unacknowledged publish after a reconnect (MQTTnet does not), so when the connection changes, or a publish fails or
/// outlives its deadline, the loop lets the publishes under way end and reads the outbox again from its oldest hit:
/// whatever was not acknowledged goes out again, oldest first. Reading happens on the outbox's own reading connection,
/// which never waits for the fsync of a commit under way; deletes after PUBACK are batched by a task of their own.
/// </para>
/// <para>
/// The <c>replayed</c> rule: a hit is published with <c>replayed: true</c> when it goes out on a different connection
/// from the one that was up when it was committed: it was committed while the link was down, or the link went down
/// between its commit and its acknowledgement, or it was committed by an earlier run of the process. So when the loop
/// meets a new connection it notes a seq: every hit up to it is a replay on this connection, every later one live. The
/// seq is the outbox's last one then, or lower when a submit saw this connection up before the loop did: the first
/// submit on each connection notes, before its commit, the outbox's last seq, so every hit committed after it counts
/// as committed on that connection. The stored event always says <c>false</c>; a replay is read
/// back and written again with <c>true</c> as it is published.
/// </para>
/// <para>
/// Threading: <see cref="SubmitAsync(HitEvent, CancellationToken)"/>, <see cref="DrainAsync"/> and the counters may be
/// used from any thread; the read position belongs to the loop. Register it after the MQTT connection service, so that
/// it stops first. The container owns the outbox and the transport.
/// </para>
/// </remarks>
public sealed class DeliveryService : BackgroundService
{
    /// <summary>How often the loop looks in the outbox when nothing wakes it (for hits another writer put there).</summary>
    internal static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the loop waits after a step failed, or before reading again after a failed publish.</summary>
    private static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(1);

    /// <summary>How often <see cref="DrainAsync"/> looks at the outbox.</summary>
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>How many stored items one pass of the read-retention sweep reads at a time.</summary>
    private const int SweepPage = 500;

    private readonly Outbox _outbox;
    private readonly HitEventFactory _factory;
    private readonly DeliveryOptions _options;
    private readonly MqttTransport? _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Seqs acknowledged by the broker, deleted from the outbox in batches by their own task.</summary>
    private readonly Channel<long> _acknowledgedSeqs = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Ends the publishes under way when the service stops; what they carried stays in the outbox.</summary>
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _backlogGate = new();

    // The loop's own state.
    private bool _caughtUp;
    private long _cursor;
    private long _connection = -1;
    private long _liveAfter = long.MaxValue;
    private Task<bool>? _wakeWait;
    private Task? _pollWait;
    private Task? _connectedWait;

    // Shared with the submits, the publishes under way and the deleting task.
    private LiveMark? _liveMark;
    private int _committed;
    private int _inFlight;
    private int _awaitingDelete;
    private int _rewind;
    private int _submitting;
    private long _holdUntil;
    private long _backlogWaiting;
    private long? _backlogSince;
    private long _backlogAcknowledgedBefore;
    private long _submitted;
    private long _published;
    private long _replayed;
    private long _acknowledged;
    private long _readsExpired;

    /// <param name="outbox">The durable outbox (owned by the container).</param>
    /// <param name="factory">Makes events of passes; also names this camera's topics.</param>
    /// <param name="options">Validated delivery options.</param>
    /// <param name="transport">The MQTT transport, or null when MQTT is off: hits are then stored and nothing is published.</param>
    /// <param name="time">The clock (publish deadlines, polls, read retention).</param>
    /// <param name="logger">Delivery's log.</param>
    public DeliveryService(Outbox outbox, HitEventFactory factory, DeliveryOptions options, MqttTransport? transport, TimeProvider time, ILogger<DeliveryService> logger)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _transport = transport;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Whether hits are published (MQTT is configured); without it they are only stored.</summary>
    public bool IsPublishing => _transport is not null;

    /// <summary>Counters since start, for the heartbeat and status lines.</summary>
    public DeliveryStats Stats => new(
        Interlocked.Read(ref _submitted),
        Interlocked.Read(ref _published),
        Interlocked.Read(ref _replayed),
        Interlocked.Read(ref _acknowledged),
        Interlocked.Read(ref _readsExpired));

    /// <summary>Hits published and not yet acknowledged (or failed) now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Called with each acknowledged hit's event id as its PUBACK arrives (the benchmark's read-to-PUBACK clock); on
    /// the task of that publish, so calls may overlap.
    /// </summary>
    internal Action<string>? OnAcknowledged { get; set; }

    /// <summary>Makes the hit event of <paramref name="pass"/> and submits it; see <see cref="SubmitAsync(HitEvent, CancellationToken)"/>.</summary>
    public ValueTask<HitEvent> SubmitAsync(VehiclePass pass, HitMatch match, CancellationToken cancellationToken = default) =>
        SubmitAsync(_factory.Create(pass, match), cancellationToken);

    /// <summary>
    /// With <see cref="DeliveryOptions.PublishReads"/>, stores an unmatched read like a hit (on the read topic, kept at
    /// most <see cref="DeliveryOptions.ReadRetention"/>) and returns its event; otherwise stores nothing and returns null.
    /// </summary>
    public async ValueTask<HitEvent?> SubmitReadAsync(VehiclePass pass, CancellationToken cancellationToken = default) =>
        _options.PublishReads ? await SubmitAsync(_factory.CreateRead(pass), cancellationToken) : null;

    /// <summary>
    /// Commits <paramref name="hit"/> to the outbox and returns once it is durable (fsynced); the loop then publishes it.
    /// Only now may the hit be reported as made (a <c>--json</c> line, a GPIO pulse). A hit whose event id is already
    /// stored is not stored twice, so retrying after an exception is safe. Cancelling stops the wait, not the commit.
    /// </summary>
    /// <exception cref="StorageFullException">Disk full: the hit was not stored (and is logged); keep it and retry.</exception>
    /// <exception cref="StorageException">The hit was not stored (and is logged); keep it and retry.</exception>
    public async ValueTask<HitEvent> SubmitAsync(HitEvent hit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hit);
        hit = hit with { Replayed = false };
        var topic = hit.Match is null ? _factory.Camera.ReadTopic : _factory.Camera.HitTopic;
        Interlocked.Increment(ref _submitting);
        try
        {
            // Before the commit: the loop may read the hit the moment it is committed.
            if (_transport?.Status is { IsConnected: true } status)
            {
                MarkLive(status.Connects);
            }

            await _outbox.EnqueueAsync(hit.EventId, topic, HitPayload.Serialize(hit)).WaitAsync(cancellationToken);
        }
        catch (StorageException ex)
        {
            Log.NotStored(_logger, hit.EventId, ex.Message);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _submitting);
        }

        Interlocked.Increment(ref _submitted);
        Interlocked.Exchange(ref _committed, 1);
        Wake();
        return hit;
    }

    /// <summary>
    /// Waits until the outbox is empty (every hit acknowledged) and no submit is under way: true; or until
    /// <paramref name="timeout"/> has passed: false, the rest left in the outbox for the next run (logged). True at
    /// once when MQTT is off. <c>replay</c> calls this after its input ended; false is exit code 3.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_transport is null)
        {
            return true;
        }

        var started = _time.GetTimestamp();
        while (Volatile.Read(ref _submitting) > 0 || _outbox.Count > 0)
        {
            if (_time.GetElapsedTime(started) >= timeout)
            {
                Log.DrainTimedOut(_logger, timeout, _outbox.Count, _transport.Status.Reason ?? _transport.Status.State.ToString());
                return false;
            }

            await Task.Delay(DrainPoll, _time, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Deletes stored unmatched reads older than <see cref="DeliveryOptions.ReadRetention"/>, delivered or not; returns
    /// how many. Walks the outbox oldest first and stops at the first item inside the retention. The heartbeat calls it.
    /// </summary>
    public int ExpireReads()
    {
        if (!_options.PublishReads)
        {
            return 0;
        }

        var cutoff = _time.GetUtcNow() - _options.ReadRetention;
        var expired = new List<long>();
        long after = 0;
        while (true)
        {
            var page = _outbox.PeekOldest(SweepPage, after);
            foreach (var item in page)
            {
                if (item.CreatedAt >= cutoff)
                {
                    return Expire(expired);
                }

                if (item.Topic == _factory.Camera.ReadTopic)
                {
                    expired.Add(item.Seq);
                }
            }

            if (page.Count < SweepPage)
            {
                return Expire(expired);
            }

            after = page[^1].Seq;
        }
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        CheckOutbox();
        if (_transport is null)
        {
            Log.MqttOff(_logger);
            return;
        }

        var deleting = Task.Run(DeleteAcknowledgedAsync, CancellationToken.None);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                bool busy;
                try
                {
                    busy = Step();
                }
#pragma warning disable CA1031 // The loop's catch: log and carry on; the hits stay in the outbox.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.StepFailed(_logger, ex);
                    await Task.Delay(FailureDelay, _time, stoppingToken);
                    continue;
                }

                if (!busy)
                {
                    await WaitForWorkAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // The publishes under way end now; their hits stay in the outbox for the next start. What was acknowledged
            // is still deleted, so the next start repeats as little as possible.
            await _stopping.CancelAsync();
            while (Volatile.Read(ref _inFlight) > 0)
            {
                await _wake.Reader.WaitToReadAsync(CancellationToken.None);
                _wake.Reader.TryRead(out _);
            }

            _acknowledgedSeqs.Writer.TryComplete();
            await deleting;
        }
    }

    /// <summary>What the outbox holds at start goes out first, as replays; the bounds are applied before.</summary>
    internal void CheckOutbox()
    {
        try
        {
            _outbox.EnforceBounds();
            if (_outbox.Count is var count and > 0)
            {
                Log.BacklogAtStart(_logger, count, _outbox.OldestAge ?? TimeSpan.Zero);
            }
        }
        catch (StorageException ex)
        {
            Log.StartCheckFailed(_logger, ex.Message);
        }
    }

    /// <summary>
    /// One pass: when connected, start publishing the oldest hits not yet handed out on this connection, up to the
    /// in-flight limit. After a new connection or a failed publish it first lets the publishes under way end, then
    /// starts again from the outbox's oldest hit. True when there may be more to do at once.
    /// </summary>
    internal bool Step()
    {
        var transport = _transport ?? throw new InvalidOperationException("MQTT is off: nothing to publish.");
        var status = transport.Status;
        if (!status.IsConnected || _time.GetTimestamp() < Interlocked.Read(ref _holdUntil))
        {
            return false;
        }

        if (status.Connects != _connection || Volatile.Read(ref _rewind) != 0)
        {
            if (Volatile.Read(ref _inFlight) > 0 || Volatile.Read(ref _awaitingDelete) > 0)
            {
                // Woken as each one ends; a hit acknowledged meanwhile is deleted before the outbox is read again.
                return false;
            }

            if (status.Connects != _connection)
            {
                Connected(status.Connects);
            }

            Interlocked.Exchange(ref _rewind, 0);
            _cursor = 0;
            _caughtUp = false;
        }

        // Caught up, only a commit (or the poll) can bring something new; behind, wait for a quarter of the slots to
        // free rather than read the outbox once per PUBACK.
        var inFlight = Volatile.Read(ref _inFlight);
        var room = _options.MaxInFlight - inFlight;
        if (Interlocked.Exchange(ref _committed, 0) == 0 && _caughtUp)
        {
            return false;
        }

        if (room <= 0 || (!_caughtUp && inFlight > 0 && room < Math.Max(1, _options.MaxInFlight / 4)))
        {
            Interlocked.Exchange(ref _committed, 1);
            return false;
        }

        var items = _outbox.PeekOldest(room, _cursor);
        _caughtUp = items.Count < room;
        List<long>? expired = null;
        foreach (var item in items)
        {
            _cursor = item.Seq;
            if (IsExpiredRead(item))
            {
                (expired ??= []).Add(item.Seq);
                continue;
            }

            Publish(transport, item);
        }

        Expire(expired ?? []);
        return items.Count == room;
    }

    /// <summary>A new connection: everything committed before it came up is a replay on it; a waiting backlog is logged.</summary>
    private void Connected(long connection)
    {
        _connection = connection;
        _liveAfter = _outbox.LastSeq;
        if (Volatile.Read(ref _liveMark) is { } mark && mark.Connection == connection)
        {
            _liveAfter = Math.Min(_liveAfter, mark.FirstSeq - 1);
        }

        var waiting = _outbox.Count;
        if (waiting > 0)
        {
            Log.SendingBacklog(_logger, waiting);
            lock (_backlogGate)
            {
                if (_backlogSince is null)
                {
                    _backlogSince = _time.GetTimestamp();
                    _backlogAcknowledgedBefore = Interlocked.Read(ref _acknowledged);
                }

                _backlogWaiting = waiting;
            }
        }
    }

    /// <summary>Starts one publish: the stored event, marked replayed unless it was committed on this connection.</summary>
    private void Publish(MqttTransport transport, OutboxItem item)
    {
        var replayed = item.Seq <= _liveAfter;
        var payload = replayed ? Replayed(item.Payload) : item.Payload;
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _published);
        if (replayed)
        {
            Interlocked.Increment(ref _replayed);
        }

        _ = PublishAsync(transport, item.Seq, item.EventId, item.Topic, payload);
    }

    /// <summary>One publish with its own deadline; on its PUBACK the hit is handed to the deleting task.</summary>
    private async Task PublishAsync(MqttTransport transport, long seq, string eventId, string topic, ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
            try
            {
                await transport.PublishAsync(topic, payload, MqttQos.AtLeastOnce, retain: false, deadline.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                Log.NotAcknowledged(_logger, eventId, seq, _options.PublishTimeout);
                Interlocked.Exchange(ref _rewind, 1);
                return;
            }
            catch (MqttException ex)
            {
                // A lost connection is the transport's to report; anything else is this hit's, and is not retried at once.
                if (!ex.IsNotConnected)
                {
                    Log.PublishFailed(_logger, eventId, seq, ex.Message);
                    Interlocked.Exchange(ref _holdUntil, _time.GetTimestamp() + (long)(FailureDelay.TotalSeconds * _time.TimestampFrequency));
                }

                Interlocked.Exchange(ref _rewind, 1);
                return;
            }

            Interlocked.Increment(ref _awaitingDelete);
            _acknowledgedSeqs.Writer.TryWrite(seq);
            Acknowledged();
            OnAcknowledged?.Invoke(eventId);
        }
#pragma warning disable CA1031 // A publish task's catch: nothing may escape unobserved; the hit stays in the outbox.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.PublishFailed(_logger, eventId, seq, ex.Message);
            Interlocked.Exchange(ref _rewind, 1);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            Wake();
        }
    }

    private void Acknowledged()
    {
        var total = Interlocked.Increment(ref _acknowledged);
        lock (_backlogGate)
        {
            if (_backlogSince is { } since && --_backlogWaiting <= 0)
            {
                Log.BacklogDelivered(_logger, total - _backlogAcknowledgedBefore, _time.GetElapsedTime(since));
                _backlogSince = null;
            }
        }
    }

    /// <summary>
    /// Deletes acknowledged hits, every one that arrived while the previous delete ran in one transaction. A delete
    /// that fails is retried; until it succeeds a restart would only send those hits again.
    /// </summary>
    private async Task DeleteAcknowledgedAsync()
    {
        var batch = new List<long>();
        while (await _acknowledgedSeqs.Reader.WaitToReadAsync())
        {
            while (_acknowledgedSeqs.Reader.TryRead(out var seq))
            {
                batch.Add(seq);
            }

            if (!TryDelete(batch))
            {
                await Task.Delay(FailureDelay, _time);
            }
        }

        TryDelete(batch);
    }

    private bool TryDelete(List<long> batch)
    {
        if (batch.Count == 0)
        {
            return true;
        }

        try
        {
            _outbox.DeleteMany(batch);
            Interlocked.Add(ref _awaitingDelete, -batch.Count);
            batch.Clear();
            Wake();
            return true;
        }
#pragma warning disable CA1031 // The deleting loop's catch: log, keep the batch, try again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.DeleteFailed(_logger, batch.Count, ex.Message);
            return false;
        }
    }

    /// <summary>The stored event with <c>replayed</c> set; a payload this build cannot read is sent as stored rather than held back.</summary>
    private static ReadOnlyMemory<byte> Replayed(ReadOnlyMemory<byte> stored)
    {
        try
        {
            return HitPayload.Serialize(HitPayload.Deserialize(stored.Span) with { Replayed = true });
        }
        catch (JsonException)
        {
            return stored;
        }
    }

    private bool IsExpiredRead(OutboxItem item) =>
        _options.PublishReads && item.Topic == _factory.Camera.ReadTopic && item.CreatedAt < _time.GetUtcNow() - _options.ReadRetention;

    private int Expire(List<long> seqs)
    {
        if (seqs.Count == 0)
        {
            return 0;
        }

        var deleted = _outbox.DeleteMany(seqs);
        Interlocked.Add(ref _readsExpired, deleted);
        Log.ReadsExpired(_logger, deleted, _options.ReadRetention);
        return deleted;
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>
    /// On the first submit that sees <paramref name="connection"/> up: every hit committed from now on has a seq above
    /// the outbox's last one, and is committed while that connection is (or was) up.
    /// </summary>
    private void MarkLive(long connection)
    {
        var mark = Volatile.Read(ref _liveMark);
        while (mark is null || mark.Connection < connection)
        {
            var seen = Interlocked.CompareExchange(ref _liveMark, new LiveMark(connection, _outbox.LastSeq + 1), mark);
            if (ReferenceEquals(seen, mark))
            {
                return;
            }

            mark = seen;
        }
    }

    /// <summary>Waits for a submitted hit, a publish that ended, the connection to come up, or the poll.</summary>
    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        // One outstanding wait of each kind, kept across passes: a new one per pass would pile up waiters and timers.
        _wakeWait ??= _wake.Reader.WaitToReadAsync(cancellationToken).AsTask();
        _pollWait ??= Task.Delay(Poll, _time, cancellationToken);
        if (_transport is { IsConnected: false } transport)
        {
            _connectedWait ??= transport.WaitUntilConnectedAsync(cancellationToken);
            await Task.WhenAny(_wakeWait, _pollWait, _connectedWait);
        }
        else
        {
            await Task.WhenAny(_wakeWait, _pollWait);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_wakeWait.IsCompleted)
        {
            _wakeWait = null;
            _wake.Reader.TryRead(out _);
        }

        if (_pollWait.IsCompleted)
        {
            // Now and then the outbox is read even when caught up: another writer (salvage, the CLI) may have added hits.
            _pollWait = null;
            Interlocked.Exchange(ref _committed, 1);
        }

        if (_connectedWait?.IsCompleted == true)
        {
            _connectedWait = null;
        }
    }
}

/// <summary>The lowest outbox seq a hit committed while <see cref="Connection"/> (a connect count) was up can have.</summary>
internal sealed record LiveMark(long Connection, long FirstSeq);

/// <summary>Delivery counters since start: hits submitted, published (of which replayed), acknowledged, and unmatched reads expired.</summary>
public readonly record struct DeliveryStats(long Submitted, long Published, long Replayed, long Acknowledged, long ReadsExpired);
