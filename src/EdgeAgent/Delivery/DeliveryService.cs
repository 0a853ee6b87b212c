using System.Collections.Concurrent;
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
/// hit to the durable <see cref="Outbox"/> and returns only then; a supervising loop (this hosted service) publishes
/// what the outbox holds, oldest first, with at most <see cref="DeliveryOptions.MaxInFlight"/> unacknowledged, each
/// with its outbox seq as the transport token, and deletes a hit only when its PUBACK has come back. A crash between
/// PUBACK and delete sends a hit again on the next start; stations deduplicate on the event id.
/// </summary>
/// <remarks>
/// <para>
/// Reconnecting is the transport's job; this loop only watches <see cref="MqttTransport.Status"/> and publishes while
/// connected. A hit already handed to libmosquitto when the link drops stays in libmosquitto's session and is
/// retransmitted by it after the reconnect (MQTT 3.1.1 section 4.4), so it is not published twice from here; everything
/// the loop had not reached yet follows it, oldest first, from the outbox.
/// </para>
/// <para>
/// The <c>replayed</c> rule: a hit is published with <c>replayed: true</c> when it goes out on a different connection
/// from the one that was up when it was committed: it was committed while the link was down, or the link went down
/// between its commit and its publish, or it was committed by an earlier run of the process (everything found in the
/// outbox at start). The stored payload always says <c>false</c>; <see cref="HitPayload.AsReplayed"/> sets it as the hit
/// is published. A hit retransmitted by the MQTT session keeps the bytes of its first transmission (the protocol
/// resends the same packet, flagged DUP), so it says <c>false</c>: it had been sent live.
/// </para>
/// <para>
/// The loop never waits on the outbox in the steady state: a hit just committed is published from a bounded copy in
/// memory when it is next in seq order (the outbox is read only for a backlog, or when the copy is missing), and
/// acknowledged hits are deleted by a task of their own. The outbox's lock is held across every commit's fsync, so
/// a read or delete on the loop would add that fsync to the next hit's latency.
/// </para>
/// <para>
/// Threading: <see cref="SubmitAsync(HitEvent, CancellationToken)"/>, <see cref="DrainAsync"/> and the counters may be
/// used from any thread; the publishing state belongs to the loop. Acknowledgements are read from the transport's
/// channel on the loop, never inside a libmosquitto callback, and this service must be their only reader. Register it
/// after the MQTT connection service, so that it stops first. The container owns the outbox and the transport.
/// </para>
/// </remarks>
public sealed class DeliveryService : BackgroundService
{
    /// <summary>How often the loop looks at the connection when nothing wakes it (a connect is seen within this).</summary>
    internal static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the loop waits after a step failed before the next.</summary>
    private static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(1);

    /// <summary>How often <see cref="DrainAsync"/> looks at the outbox.</summary>
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>How many stored items one pass of the read-retention sweep reads at a time.</summary>
    private const int SweepPage = 500;

    /// <summary>Most committed hits kept in memory for the loop (a few MB with their crops).</summary>
    private const int FreshCapacity = 1024;

    private readonly Outbox _outbox;
    private readonly HitEventFactory _factory;
    private readonly DeliveryOptions _options;
    private readonly MqttTransport? _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Event ids committed while connected, with the connection (its <see cref="MqttConnectionStatus.Connects"/>) they were committed on.</summary>
    private readonly ConcurrentDictionary<string, long> _live = new(StringComparer.Ordinal);

    /// <summary>Seq to event id of what the loop has published and not seen acknowledged (loop only).</summary>
    private readonly Dictionary<long, string> _inFlight = [];

    /// <summary>
    /// Hits this process committed, by seq, with their stored bytes: the loop publishes the next seq from here when it
    /// can, so a live hit goes out without a read of the outbox (whose lock waits behind every commit's fsync).
    /// Bounded; whatever is not here is read from the outbox.
    /// </summary>
    private readonly ConcurrentDictionary<long, StoredHit> _fresh = new();

    /// <summary>Seqs acknowledged by the broker, deleted from the outbox by their own task so the loop never waits on it.</summary>
    private readonly Channel<long> _acknowledgedSeqs = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _cursor;
    private long _lastCommitted;
    private bool _outboxMayHaveMore = true;
    private long _connection = -1;
    private long _failedSeq;
    private long? _backlogSince;
    private long _backlogWaiting;
    private long _backlogAcknowledgedBefore;
    private Task<bool>? _acknowledgementWait;
    private Task<bool>? _wakeWait;
    private Task? _pollWait;
    private int _submitting;
    private long _submitted;
    private long _published;
    private long _replayed;
    private long _acknowledged;
    private long _readsExpired;

    /// <param name="outbox">The durable outbox (owned by the container).</param>
    /// <param name="factory">Makes events of passes; also names this camera's topics.</param>
    /// <param name="options">Validated delivery options.</param>
    /// <param name="transport">The MQTT transport, or null when MQTT is off: hits are then stored and nothing is published.</param>
    /// <param name="time">The clock.</param>
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

    /// <summary>Called on the loop with each acknowledged hit's event id (the benchmark's read-to-PUBACK clock).</summary>
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
        var payload = HitPayload.Serialize(hit);
        Interlocked.Increment(ref _submitting);
        try
        {
            // Noted before the commit, so the loop can never see the stored hit without this note.
            if (_transport?.Status is { IsConnected: true } status)
            {
                _live[hit.EventId] = status.Connects;
            }

            try
            {
                var seq = await _outbox.EnqueueAsync(hit.EventId, topic, payload).WaitAsync(cancellationToken);
                if (_transport is not null && _fresh.Count < FreshCapacity)
                {
                    _fresh.TryAdd(seq, new StoredHit(hit.EventId, topic, payload));
                }

                // After the memory copy: a loop that sees this seq committed but not in memory reads the outbox.
                for (var last = Interlocked.Read(ref _lastCommitted); seq > last; last = Interlocked.Read(ref _lastCommitted))
                {
                    if (Interlocked.CompareExchange(ref _lastCommitted, seq, last) == last)
                    {
                        break;
                    }
                }
            }
            catch (StorageException ex)
            {
                _live.TryRemove(hit.EventId, out _);
                Log.NotStored(_logger, hit.EventId, ex.Message);
                throw;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _submitting);
        }

        Interlocked.Increment(ref _submitted);
        _wake.Writer.TryWrite(true);
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

                if (!busy && !await WaitForWorkAsync(stoppingToken))
                {
                    return;
                }
            }
        }
        finally
        {
            // What was acknowledged is still deleted, so the next start repeats as little as possible.
            CollectAcknowledgements(_transport);
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
    /// One pass: hand what was acknowledged to the deleting task, then, when connected, publish the oldest hits not yet
    /// published up to the in-flight limit. True when there may be more to do at once.
    /// </summary>
    internal bool Step()
    {
        var transport = _transport ?? throw new InvalidOperationException("MQTT is off: nothing to publish.");
        var worked = CollectAcknowledgements(transport);
        var status = transport.Status;
        if (!status.IsConnected)
        {
            return worked;
        }

        if (status.Connects != _connection)
        {
            Connected(status.Connects);
        }

        return Publish(transport) | worked;
    }

    private bool CollectAcknowledgements(MqttTransport transport)
    {
        var acknowledged = 0;
        while (transport.Acknowledgements.TryRead(out var acknowledgement))
        {
            acknowledged++;
            _acknowledgedSeqs.Writer.TryWrite(acknowledgement.Token);
            if (_inFlight.Remove(acknowledgement.Token, out var eventId))
            {
                OnAcknowledged?.Invoke(eventId);
            }
        }

        if (acknowledged == 0)
        {
            return false;
        }

        Interlocked.Add(ref _acknowledged, acknowledged);
        if (_backlogSince is { } since && (_backlogWaiting -= acknowledged) <= 0)
        {
            Log.BacklogDelivered(_logger, Interlocked.Read(ref _acknowledged) - _backlogAcknowledgedBefore, _time.GetElapsedTime(since));
            _backlogSince = null;
        }

        return true;
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
            batch.Clear();
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

    /// <summary>A new connection: hits noted live on an earlier one are replays now; a waiting backlog is logged.</summary>
    private void Connected(long connection)
    {
        _connection = connection;
        foreach (var (eventId, committedOn) in _live)
        {
            if (committedOn != connection)
            {
                _live.TryRemove(eventId, out _);
            }
        }

        // Whatever was committed meanwhile, here or by another process, is read from the outbox.
        _outboxMayHaveMore = true;
        var waiting = _outbox.Count;
        if (waiting > _inFlight.Count)
        {
            Log.SendingBacklog(_logger, waiting - _inFlight.Count, _inFlight.Count);
            _backlogSince ??= _time.GetTimestamp();
            _backlogWaiting = waiting;
            _backlogAcknowledgedBefore = Interlocked.Read(ref _acknowledged);
        }
    }

    /// <summary>
    /// Publishes the hits after <see cref="_cursor"/> in seq order, up to the in-flight limit: from memory while the
    /// next seq is there, otherwise from the outbox. Returns false: the next work comes with an acknowledgement, a
    /// submitted hit or the poll.
    /// </summary>
    private bool Publish(MqttTransport transport)
    {
        var room = _options.MaxInFlight - _inFlight.Count;
        List<long>? expired = null;
        try
        {
            while (room > 0)
            {
                var next = _cursor + 1;
                if (_fresh.TryRemove(next, out var fresh))
                {
                    if (!Send(transport, next, fresh.EventId, fresh.Topic, fresh.Payload))
                    {
                        _fresh.TryAdd(next, fresh);
                        return false;
                    }

                    room--;
                    continue;
                }

                if (!_outboxMayHaveMore && _cursor >= Interlocked.Read(ref _lastCommitted))
                {
                    return false;
                }

                var items = _outbox.PeekOldest(room, _cursor);
                _outboxMayHaveMore = items.Count == room;
                if (items.Count == 0)
                {
                    return false;
                }

                foreach (var item in items)
                {
                    _fresh.TryRemove(item.Seq, out _);
                    if (IsExpiredRead(item))
                    {
                        (expired ??= []).Add(item.Seq);
                        _cursor = item.Seq;
                        continue;
                    }

                    if (!Send(transport, item.Seq, item.EventId, item.Topic, item.Payload))
                    {
                        _outboxMayHaveMore = true;
                        return false;
                    }

                    room--;
                }
            }

            return false;
        }
        finally
        {
            Expire(expired ?? []);
        }
    }

    /// <summary>Publishes one stored hit with its seq as token, marked replayed unless it was committed on this connection.</summary>
    private bool Send(MqttTransport transport, long seq, string eventId, string topic, ReadOnlyMemory<byte> payload)
    {
        var live = _live.TryRemove(eventId, out var committedOn) && committedOn == _connection;
        try
        {
            transport.Publish(topic, live ? payload.Span : Replayed(payload), MqttQos.AtLeastOnce, retain: false, token: seq);
        }
        catch (MqttException ex)
        {
            // Tried again at the next poll, judged live or not as now; logged once per hit.
            if (live)
            {
                _live[eventId] = committedOn;
            }

            if (_failedSeq != seq)
            {
                _failedSeq = seq;
                Log.PublishFailed(_logger, eventId, seq, ex.Message);
            }

            return false;
        }

        _inFlight[seq] = eventId;
        _cursor = seq;
        Interlocked.Increment(ref _published);
        if (!live)
        {
            Interlocked.Increment(ref _replayed);
        }

        return true;
    }

    private static ReadOnlySpan<byte> Replayed(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return HitPayload.AsReplayed(payload.Span);
        }
        catch (JsonException)
        {
            // Not a hit this build can read: sent as stored rather than held back.
            return payload.Span;
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

    /// <summary>Waits for an acknowledgement, a submitted hit or the poll; false when the transport has been disposed.</summary>
    private async Task<bool> WaitForWorkAsync(CancellationToken cancellationToken)
    {
        // One outstanding wait of each kind, kept across passes: a new one per pass would pile up waiters and timers.
        _acknowledgementWait ??= _transport!.Acknowledgements.WaitToReadAsync(cancellationToken).AsTask();
        _wakeWait ??= _wake.Reader.WaitToReadAsync(cancellationToken).AsTask();
        _pollWait ??= Task.Delay(Poll, _time, cancellationToken);
        await Task.WhenAny(_acknowledgementWait, _wakeWait, _pollWait);
        cancellationToken.ThrowIfCancellationRequested();
        if (_acknowledgementWait.IsCompleted)
        {
            var open = await _acknowledgementWait;
            _acknowledgementWait = null;
            if (!open)
            {
                return false;
            }
        }

        if (_wakeWait.IsCompleted)
        {
            _wakeWait = null;
            _wake.Reader.TryRead(out _);
        }

        if (_pollWait.IsCompleted)
        {
            _pollWait = null;

            // Now and then: look in the outbox for hits another writer put there (salvage, a CLI run), and forget
            // memory copies the loop has passed (a hit submitted twice comes back with its old seq).
            _outboxMayHaveMore = true;
            foreach (var seq in _fresh.Keys)
            {
                if (seq <= _cursor)
                {
                    _fresh.TryRemove(seq, out _);
                }
            }
        }

        return true;
    }
}

/// <summary>A committed hit as stored: its event id, topic and payload bytes.</summary>
internal sealed record StoredHit(string EventId, string Topic, ReadOnlyMemory<byte> Payload);

/// <summary>Delivery counters since start: hits submitted, published (of which replayed), acknowledged, and unmatched reads expired.</summary>
public readonly record struct DeliveryStats(long Submitted, long Published, long Replayed, long Acknowledged, long ReadsExpired);
