using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Shared.Topics;
using EdgeAnpr.Shared.Watchlist;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>What became of one station message.</summary>
internal enum SyncResult
{
    /// <summary>The list changed (and any held deltas that now follow were applied too).</summary>
    Applied,

    /// <summary>A delta after a version gap, kept in memory until the next snapshot (and audited as refused for now).</summary>
    Held,

    /// <summary>Nothing to do: a redelivery of what is applied, the broker's older retained snapshot, another topic.</summary>
    Ignored,

    /// <summary>Refused, logged once and audited; the active list is unchanged.</summary>
    Rejected,
}

internal sealed record WatchlistSyncOutcome(SyncResult Result, WatchlistProblem? Problem = null, string? Reason = null);

/// <summary>
/// Applies the station's signed snapshots and deltas to the store, one message at a time (not thread-safe: the sync
/// service's loop is its only caller). In order, each check cheaper than the next:
/// <list type="number">
/// <item>size on the wire (Watchlist:MaxMessageBytes), before anything is parsed;</item>
/// <item>envelope, trusted key id, ECDSA P-256 signature, size after decompression, body (<see cref="WatchlistMessage.Open"/>);</item>
/// <item>site and kind as signed against this box's site and the topic it came on;</item>
/// <item>version: newer than the one held (else a replay: refused, unless it is the very message applied last,
/// redelivered under QoS 1, or the broker's retained snapshot that deltas have since overtaken, both ignored quietly);</item>
/// <item>a delta on exactly the held version is applied; one from further ahead is held (bounded, in memory) until a
/// snapshot or the missing delta lets it follow; one from behind is refused.</item>
/// </list>
/// Each store write is one transaction with its audit record, so the list is the old one or the new one. Every refusal
/// is logged once and audited (action <c>watchlist.snapshot|delta</c>, outcome rejected, the reason); its actor is
/// <c>station:&lt;key id&gt;</c> once the signature has verified, <see cref="UnverifiedActor"/> before.
/// </summary>
internal sealed class WatchlistSync
{
    /// <summary>The audit actor of a message refused before its signature verified: whoever sent it is unknown.</summary>
    public const string UnverifiedActor = "mqtt:unverified";

    private readonly string _site;
    private readonly WatchlistStore _store;
    private readonly AuditLog _audit;
    private readonly StationKeys _keys;
    private readonly WatchlistOptions _options;
    private readonly WatchlistMatcher? _matcher;
    private readonly ILogger _logger;
    private readonly List<HeldDelta> _held = [];
    private bool _reloadPending;

    /// <param name="site">This box's <c>Site:Id</c>: messages must be signed for it.</param>
    /// <param name="store">Where the list is applied.</param>
    /// <param name="audit">Where refusals are recorded (applied changes are recorded by the store).</param>
    /// <param name="keys">The trusted station keys; may be empty, then every message is refused.</param>
    /// <param name="options">Size limits and how many deltas to hold.</param>
    /// <param name="matcher">Reloaded by <see cref="ReloadIfApplied"/> after changes; null when nothing matches (tests).</param>
    /// <param name="logger">Where outcomes are logged.</param>
    public WatchlistSync(
        string site, WatchlistStore store, AuditLog audit, StationKeys keys, WatchlistOptions options, WatchlistMatcher? matcher, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(site);
        _site = site;
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _audit = audit ?? throw new ArgumentNullException(nameof(audit));
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _matcher = matcher;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        SnapshotTopic = AnprTopics.WatchlistSnapshot(site);
        DeltaTopic = AnprTopics.WatchlistDelta(site);
    }

    public string SnapshotTopic { get; }

    public string DeltaTopic { get; }

    /// <summary>False when no station key is configured: nothing can be verified, so the service does not subscribe.</summary>
    public bool CanVerify => !_keys.IsEmpty;

    public IReadOnlyList<string> KeyIds => _keys.Ids;

    /// <summary>Deltas held after a version gap.</summary>
    public int HeldDeltas => _held.Count;

    /// <summary>Messages refused since start (for the heartbeat).</summary>
    public long Rejections { get; private set; }

    /// <summary>Snapshots and deltas applied since start.</summary>
    public long Applications { get; private set; }

    /// <summary>Checks and applies one received message; never throws for anything a message can contain.</summary>
    public WatchlistSyncOutcome Handle(MqttMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        WatchlistMessageKind topicKind;
        if (message.Topic == SnapshotTopic)
        {
            topicKind = WatchlistMessageKind.Snapshot;
        }
        else if (message.Topic == DeltaTopic)
        {
            topicKind = WatchlistMessageKind.Delta;
        }
        else
        {
            Log.OtherTopic(_logger, message.Topic);
            return new WatchlistSyncOutcome(SyncResult.Ignored);
        }

        var received = new Received(message, topicKind);
        if (message.Payload.Length > _options.MaxMessageBytes)
        {
            return Reject(received, null, WatchlistProblem.TooLarge,
                $"{message.Payload.Length} bytes, over the limit of {_options.MaxMessageBytes} (Watchlist:MaxMessageBytes); not parsed");
        }

        WatchlistMessage opened;
        try
        {
            opened = WatchlistMessage.Open(message.Payload, _keys.Find, _options.MaxBodyBytes);
        }
        catch (WatchlistMessageException ex)
        {
            return Reject(received with { ClaimedKeyId = ex.ClaimedKeyId }, null, ex.Problem, ex.Message);
        }

        var body = opened.Body;
        if (body.Site != _site)
        {
            return Reject(received, opened, WatchlistProblem.WrongSite, $"signed for site '{body.Site}'; this box is site '{_site}'");
        }

        if (opened.Kind != topicKind)
        {
            return Reject(received, opened, WatchlistProblem.WrongTopic, $"a {opened.Kind.Code()} on the {topicKind.Code()} topic");
        }

        var current = _store.CurrentVersion;
        if (current is not null && body.Version == current.Version && opened.BodyHash == current.SnapshotHash ||
            _held.Exists(h => h.Message.BodyHash == opened.BodyHash))
        {
            Log.Redelivered(_logger, body.Kind, body.Version);
            return new WatchlistSyncOutcome(SyncResult.Ignored);
        }

        if (current is not null && body.Version <= current.Version)
        {
            if (message.Retained && topicKind == WatchlistMessageKind.Snapshot)
            {
                // Sent from the broker's retained store on (re)subscribing: the snapshot deltas have moved past.
                Log.RetainedSnapshotOlder(_logger, body.Version, current.Version);
                return new WatchlistSyncOutcome(SyncResult.Ignored);
            }

            return Reject(received, opened, WatchlistProblem.Replayed, $"version {body.Version} is not newer than the version held ({current.Version})");
        }

        return topicKind == WatchlistMessageKind.Snapshot ? ApplySnapshot(received, opened) : ApplyDelta(received, opened, current);
    }

    private WatchlistSyncOutcome ApplySnapshot(Received received, WatchlistMessage opened)
    {
        var started = Stopwatch.GetTimestamp();
        var body = opened.Body;
        try
        {
            _store.ReplaceAll([.. body.Entries!.Select(ToEntry)], Version(opened), AuditLog.StationActor(opened.KeyId));
        }
        catch (Exception ex) when (ex is StorageException or SqliteException or InvalidOperationException or ArgumentException)
        {
            return Reject(received, opened, WatchlistProblem.ApplyFailed, $"storing it failed, the previous list is kept: {ex.Message}");
        }

        Applications++;
        Log.SnapshotApplied(_logger, body.Version, body.Entries!.Count, opened.KeyId, received.Message.Payload.Length, Stopwatch.GetElapsedTime(started));
        ApplyHeldDeltas();
        _reloadPending = true;
        return new WatchlistSyncOutcome(SyncResult.Applied);
    }

    private WatchlistSyncOutcome ApplyDelta(Received received, WatchlistMessage opened, WatchlistSyncState? current)
    {
        var baseVersion = opened.Body.BaseVersion!.Value;
        if (current is null || baseVersion > current.Version)
        {
            return Hold(received, opened, current);
        }

        if (baseVersion < current.Version)
        {
            return Reject(received, opened, WatchlistProblem.VersionGap,
                $"a delta from version {baseVersion} to {opened.Body.Version}, but the box holds version {current.Version}: it no longer applies");
        }

        switch (TryApplyDelta(received, opened))
        {
            case null:
                // The version moved under us (cannot happen with one writer): treat as a gap.
                return Hold(received, opened, _store.CurrentVersion);
            case { Result: SyncResult.Rejected } refused:
                return refused;
        }

        ApplyHeldDeltas();
        _reloadPending = true;
        return new WatchlistSyncOutcome(SyncResult.Applied);
    }

    /// <summary>Applies a delta on its base version: the outcome, or null when the store no longer holds that base.</summary>
    private WatchlistSyncOutcome? TryApplyDelta(Received received, WatchlistMessage opened)
    {
        var body = opened.Body;
        try
        {
            if (!_store.ApplyDelta(body.BaseVersion!.Value, [.. body.Upserts!.Select(ToEntry)], body.Removals!, Version(opened), AuditLog.StationActor(opened.KeyId)))
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is StorageException or SqliteException or InvalidOperationException or ArgumentException)
        {
            return Reject(received, opened, WatchlistProblem.ApplyFailed, $"storing it failed, the previous list is kept: {ex.Message}");
        }

        Applications++;
        Log.DeltaApplied(_logger, body.BaseVersion.Value, body.Version, body.Upserts!.Count, body.Removals!.Count, opened.KeyId);
        return new WatchlistSyncOutcome(SyncResult.Applied);
    }

    /// <summary>
    /// Keeps a delta that does not follow the held version yet. Bounded by <see cref="WatchlistOptions.MaxHeldDeltas"/>
    /// and, in bytes, by <see cref="WatchlistOptions.MaxMessageBytes"/>: past either the oldest is dropped (the next
    /// snapshot covers it). Audited as refused now; if it is applied later, the store audits that too.
    /// </summary>
    private WatchlistSyncOutcome Hold(Received received, WatchlistMessage opened, WatchlistSyncState? current)
    {
        var body = opened.Body;
        _held.Add(new HeldDelta(received, opened));
        _held.Sort((a, b) => a.Message.Body.Version.CompareTo(b.Message.Body.Version));
        while (_held.Count > _options.MaxHeldDeltas || _held.Sum(h => (long)h.Received.Message.Payload.Length) > _options.MaxMessageBytes)
        {
            var dropped = _held[0];
            _held.RemoveAt(0);
            Log.HeldDropped(_logger, dropped.Message.Body.BaseVersion!.Value, dropped.Message.Body.Version,
                $"more than {_options.MaxHeldDeltas} delta(s) or {_options.MaxMessageBytes} bytes held; the next snapshot covers it");
        }

        var held = _held.Exists(h => ReferenceEquals(h.Message, opened));
        var reason = current is null
            ? $"version gap: a delta from version {body.BaseVersion} but the box holds no list yet; {(held ? "held until the next snapshot" : "not held (Watchlist:MaxHeldDeltas)")}"
            : $"version gap: a delta from version {body.BaseVersion} but the box holds version {current.Version}; {(held ? "held until the next snapshot" : "not held (Watchlist:MaxHeldDeltas)")}";
        Rejections++;
        Audit(received, opened, WatchlistProblem.VersionGap, reason);
        Log.DeltaHeld(_logger, body.BaseVersion!.Value, body.Version, current?.Version, _held.Count);
        return new WatchlistSyncOutcome(held ? SyncResult.Held : SyncResult.Rejected, WatchlistProblem.VersionGap, reason);
    }

    /// <summary>After a change: drops held deltas the list has passed, applies those that now follow, in order.</summary>
    private void ApplyHeldDeltas()
    {
        while (_store.CurrentVersion is { } current)
        {
            _held.RemoveAll(h => h.Message.Body.Version <= current.Version);
            var next = _held.Find(h => h.Message.Body.BaseVersion == current.Version);
            if (next is null)
            {
                return;
            }

            _held.Remove(next);
            if (TryApplyDelta(next.Received, next.Message) is not { Result: SyncResult.Applied })
            {
                return;
            }
        }
    }

    private WatchlistSyncOutcome Reject(Received received, WatchlistMessage? opened, WatchlistProblem problem, string reason)
    {
        Rejections++;
        Log.Rejected(_logger, received.Message.Topic, problem.Code(), reason, _store.CurrentVersion?.Version);
        Audit(received, opened, problem, reason);
        return new WatchlistSyncOutcome(SyncResult.Rejected, problem, reason);
    }

    private void Audit(Received received, WatchlistMessage? opened, WatchlistProblem problem, string reason)
    {
        var actor = opened is null ? UnverifiedActor : AuditLog.StationActor(opened.KeyId);
        var action = received.TopicKind == WatchlistMessageKind.Snapshot ? "watchlist.snapshot" : "watchlist.delta";
        try
        {
            _audit.Record(actor, action, Detail(received, opened, problem), AuditOutcome.Rejected, reason);
        }
        catch (Exception ex) when (ex is StorageException or SqliteException)
        {
            Log.AuditFailed(_logger, received.Message.Topic, ex.Message);
        }
    }

    /// <summary>
    /// Reloads the matcher if the list changed since the last call. The sync service calls it when no message is
    /// waiting, so a backlog of deltas (queued by the broker while the box was offline) costs one reload, not one each.
    /// </summary>
    public void ReloadIfApplied()
    {
        if (!_reloadPending)
        {
            return;
        }

        _reloadPending = false;
        try
        {
            _matcher?.Reload();
        }
        catch (Exception ex) when (ex is StorageException or SqliteException)
        {
            Log.ReloadFailed(_logger, ex.Message);
        }
    }

    private static string Detail(Received received, WatchlistMessage? opened, WatchlistProblem problem)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("topic", received.Message.Topic);
            w.WriteNumber("bytes", received.Message.Payload.Length);
            w.WriteBoolean("retained", received.Message.Retained);
            w.WriteString("problem", problem.Code());
            if (opened is not null)
            {
                var body = opened.Body;
                w.WriteString("kind", body.Kind);
                w.WriteString("site", body.Site);
                w.WriteNumber("version", body.Version);
                if (body.BaseVersion is { } baseVersion)
                {
                    w.WriteNumber("baseVersion", baseVersion);
                }

                w.WriteString("keyId", opened.KeyId);
                w.WriteString("bodyHash", opened.BodyHash);
                w.WriteString("issuedAt", body.IssuedAt);
            }
            else if (received.ClaimedKeyId is { } claimed)
            {
                w.WriteString("claimedKeyId", claimed);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static WatchlistVersion Version(WatchlistMessage opened) => new(opened.Body.Version, opened.BodyHash, opened.KeyId);

    private static WatchlistEntry ToEntry(WatchlistItem item) =>
        new(item.Id, item.Plate, item.Region, item.Reason, item.Category, item.Priority, item.ValidFrom, item.ValidUntil, WatchlistSource.Station);

    private sealed record Received(MqttMessage Message, WatchlistMessageKind TopicKind, string? ClaimedKeyId = null);

    private sealed record HeldDelta(Received Received, WatchlistMessage Message);
}
