using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Plates;
using EdgeAnpr.Shared.Watchlist;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Watchlist;

/// <summary>Station sync through a real mosquitto into a real SQLite file: what is applied, and everything that must not be.</summary>
public sealed class WatchlistSyncTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    private static readonly WatchlistItem[] Baseline = [SyncRig.Item("ABC123", priority: 1), SyncRig.Item("XYZ789")];

    [Fact]
    public async Task A_signed_snapshot_is_applied_audited_and_matched()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        var audits = rig.Audit.Query().Count;

        await rig.ApplySnapshotAsync(5, Baseline);

        Assert.Equal(["latin-ABC123", "latin-XYZ789"], rig.Store.List().Select(e => e.Id));
        var state = rig.Store.CurrentVersion!;
        Assert.Equal(rig.KeyId, state.KeyId);
        Assert.StartsWith("sha256:", state.SnapshotHash, StringComparison.Ordinal);
        var record = await rig.NextAuditAsync(audits);
        Assert.Equal(("station:" + rig.KeyId, "watchlist.snapshot", AuditOutcome.Applied), (record.Actor, record.Action, record.Outcome));
        await Wait.UntilAsync(() => rig.Matcher.Index.Count == 2, SyncRig.Timeout, "the matcher to reload");
        Assert.Equal("tolerant: Z→2 at 5", rig.Matcher.Match(PlateText.Parse("ABC1Z3", PlateRegion.Latin))?.How);
        rig.SyncLogger.AssertNoErrors();
    }

    [Fact]
    public async Task A_delta_on_the_held_version_is_applied()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(5, Baseline);

        await rig.PublishAsync(rig.DeltaTopic, rig.Delta(5, 6, [SyncRig.Item("NEW1")], ["latin-XYZ789"]));
        await rig.WaitForVersionAsync(6);

        Assert.Equal(["latin-ABC123", "latin-NEW1"], rig.Store.List().Select(e => e.Id));
        Assert.Equal("watchlist.delta", rig.Audit.Query(1)[0].Action);
    }

    [Fact]
    public async Task A_forged_signature_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);
        var envelope = JsonNode.Parse(WatchlistMessage.Sign(
            WatchlistBody.Snapshot(rig.Site, 2, rig.Time.GetUtcNow(), rig.KeyId, [SyncRig.Item("EVIL1")]), rig.Key, WatchlistEncoding.Identity))!;
        var body = Encoding.UTF8.GetString(Convert.FromBase64String(envelope["body"]!.GetValue<string>()));
        envelope["body"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(body.Replace("EVIL1", "EVIL2", StringComparison.Ordinal)));

        await AssertRejectedAsync(rig, rig.SnapshotTopic, Encoding.UTF8.GetBytes(envelope.ToJsonString()), "bad-signature", "mqtt:unverified");
    }

    [Fact]
    public async Task A_message_signed_with_the_wrong_key_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = WatchlistBody.Snapshot(rig.Site, 2, rig.Time.GetUtcNow(), rig.KeyId, [SyncRig.Item("EVIL1")]);

        // Claiming the trusted key's id, signed with another key.
        await AssertRejectedAsync(rig, rig.SnapshotTopic, WatchlistMessage.Seal(body.ToUtf8Json(), thief, rig.KeyId), "bad-signature", "mqtt:unverified");

        // Naming its own key, which the box does not trust.
        var own = body with { KeyId = StationKey.IdOf(thief) };
        var record = await AssertRejectedAsync(rig, rig.SnapshotTopic, WatchlistMessage.Sign(own, thief), "unknown-key", "mqtt:unverified");
        Assert.Contains(StationKey.IdOf(thief), record.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_old_version_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        var old = rig.Snapshot(1, [SyncRig.Item("OLD1")]);
        await rig.PublishAsync(rig.SnapshotTopic, old, retain: true);
        await rig.WaitForVersionAsync(1);
        await rig.ApplySnapshotAsync(2, Baseline);

        var record = await AssertRejectedAsync(rig, rig.SnapshotTopic, old, "replayed", "station:" + rig.KeyId);

        Assert.Contains("not newer than the version held (2)", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delta_after_a_version_gap_is_held_then_applied_after_the_next_snapshot()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);

        var record = await AssertRejectedAsync(rig, rig.DeltaTopic, rig.Delta(2, 3, [SyncRig.Item("LATE3")], ["latin-ABC123"]), "version-gap", "station:" + rig.KeyId);
        Assert.Contains("held until the next snapshot", record.Reason, StringComparison.Ordinal);
        Assert.Equal(1, rig.Sync.HeldDeltas);

        await rig.PublishAsync(rig.SnapshotTopic, rig.Snapshot(2, [.. Baseline, SyncRig.Item("SNAP2")]), retain: true);
        await rig.WaitForVersionAsync(3);

        Assert.Equal(["latin-LATE3", "latin-SNAP2", "latin-XYZ789"], rig.Store.List().Select(e => e.Id));
        Assert.Equal(0, rig.Sync.HeldDeltas);
        Assert.Equal(["watchlist.delta", "watchlist.snapshot"], rig.Audit.Query(2).Select(a => a.Action));
        Assert.All(rig.Audit.Query(2), a => Assert.Equal(AuditOutcome.Applied, a.Outcome));
    }

    [Fact]
    public async Task A_delta_from_behind_the_held_version_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(5, Baseline);

        await AssertRejectedAsync(rig, rig.DeltaTopic, rig.Delta(3, 6, [SyncRig.Item("STALE")], []), "version-gap", "station:" + rig.KeyId);
        Assert.Equal(0, rig.Sync.HeldDeltas);
    }

    [Fact]
    public async Task Malformed_json_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);

        await AssertRejectedAsync(rig, rig.SnapshotTopic, "{\"v\":1,\"alg\":\"ES256\",\"body\":"u8.ToArray(), "malformed", "mqtt:unverified");
    }

    [Fact]
    public async Task A_signed_but_unsound_body_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);
        var json = Encoding.UTF8.GetString(WatchlistBody.Snapshot(rig.Site, 2, rig.Time.GetUtcNow(), rig.KeyId, [SyncRig.Item("GOOD1")]).ToUtf8Json())
            .Replace("\"GOOD1\"", "\"go od#1\"", StringComparison.Ordinal);

        var record = await AssertRejectedAsync(rig, rig.SnapshotTopic, WatchlistMessage.Seal(Encoding.UTF8.GetBytes(json), rig.Key, rig.KeyId), "malformed", "mqtt:unverified");

        Assert.Contains("'#'", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_10_MB_payload_is_rejected_before_parsing()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);
        var padding = new byte[10 * 1000 * 1000];
        RandomNumberGenerator.Fill(padding);

        var record = await AssertRejectedAsync(rig, rig.SnapshotTopic, WatchlistMessage.Seal(padding, rig.Key, rig.KeyId, WatchlistEncoding.Identity), "too-large", "mqtt:unverified");

        Assert.Contains("over the limit of 8388608", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_list_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);
        var bare = WatchlistBody.Snapshot(rig.Site, 2, rig.Time.GetUtcNow(), rig.KeyId, [SyncRig.Item("EVIL1")]).ToUtf8Json();

        await AssertRejectedAsync(rig, rig.SnapshotTopic, bare, "unsigned", "mqtt:unverified");
    }

    [Fact]
    public async Task A_snapshot_signed_for_another_site_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);
        var elsewhere = WatchlistMessage.Sign(WatchlistBody.Snapshot("other-site", 2, rig.Time.GetUtcNow(), rig.KeyId, [SyncRig.Item("EVIL1")]), rig.Key);

        var record = await AssertRejectedAsync(rig, rig.SnapshotTopic, elsewhere, "wrong-site", "station:" + rig.KeyId);

        Assert.Contains("'other-site'", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_on_the_delta_topic_is_rejected()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);

        await AssertRejectedAsync(rig, rig.DeltaTopic, rig.Snapshot(2, [SyncRig.Item("EVIL1")]), "wrong-topic", "station:" + rig.KeyId);
    }

    [Fact]
    public async Task A_snapshot_that_fails_to_store_leaves_the_old_list_whole()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);
        // A technician's entry from an older release whose id the station now uses: the upsert refuses to move it
        // between sources half-way through the snapshot's transaction.
        rig.Store.Upsert(new WatchlistEntry("clash", "LOC1", "latin", "local", null, 2, null, null, WatchlistSource.Local), "local:tech");

        var record = await AssertRejectedAsync(
            rig, rig.SnapshotTopic, rig.Snapshot(2, SyncRig.Item("AAA1"), SyncRig.Item("BBB2", id: "clash"), SyncRig.Item("CCC3")), "apply-failed", "station:" + rig.KeyId);

        Assert.Contains("clash", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redelivered_message_is_ignored_quietly()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        var snapshot = rig.Snapshot(1, Baseline);
        await rig.PublishAsync(rig.SnapshotTopic, snapshot, retain: true);
        await rig.WaitForVersionAsync(1);
        var audits = rig.Audit.Query().Count;

        await rig.PublishAsync(rig.SnapshotTopic, snapshot);
        await rig.ApplySnapshotAsync(2, Baseline);

        Assert.Equal(audits + 1, rig.Audit.Query().Count);
        Assert.DoesNotContain(rig.SyncLogger.Collector.GetSnapshot(), e => e.Id.Id == 7005);
    }

    [Fact]
    public async Task After_a_restart_the_retained_snapshot_that_deltas_overtook_is_ignored_quietly()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output);
        await rig.ApplySnapshotAsync(1, Baseline);
        await rig.PublishAsync(rig.DeltaTopic, rig.Delta(1, 2, [SyncRig.Item("NEW2")], []));
        await rig.WaitForVersionAsync(2);
        var audits = rig.Audit.Query().Count;

        await rig.StopBoxAsync();
        await rig.StartBoxAsync(clientSuffix: "-restarted");
        await Wait.UntilAsync(() => rig.SyncLogger.Collector.GetSnapshot().Any(e => e.Id.Id == 7008), SyncRig.Timeout, "the retained snapshot to arrive");

        Assert.Equal(2, rig.Store.CurrentVersion!.Version);
        Assert.Equal(audits, rig.Audit.Query().Count);
    }

    [Fact]
    public async Task Without_a_station_key_the_box_does_not_subscribe_and_says_so()
    {
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output, trust: StationKeys.Of());
        await rig.PublishAsync(rig.SnapshotTopic, rig.Snapshot(1, Baseline), retain: true);

        await Wait.UntilAsync(() => rig.ServiceLogger.Errors.Count == 1, SyncRig.Timeout, "the refusal to be logged");

        Assert.Contains("Watchlist:StationKeyFiles", rig.ServiceLogger.Errors[0].Message, StringComparison.Ordinal);
        Assert.Null(rig.Store.CurrentVersion);
    }

    /// <summary>Publishes, waits for the audit record, and checks the three things every refusal must leave: the list, the audit, one log line.</summary>
    private static async Task<AuditEntry> AssertRejectedAsync(SyncRig rig, string topic, byte[] payload, string problem, string actor)
    {
        var before = rig.Store.List();
        var version = rig.Store.CurrentVersion;
        var audits = rig.Audit.Query(1000).Count;
        var logged = rig.SyncLogger.Collector.GetSnapshot().Count(e => e.Id.Id is 7005 or 7006);

        await rig.PublishAsync(topic, payload);
        var record = await rig.NextAuditAsync(audits);

        Assert.Equal(AuditOutcome.Rejected, record.Outcome);
        Assert.Equal(actor, record.Actor);
        Assert.Equal(topic.EndsWith("/snapshot", StringComparison.Ordinal) ? "watchlist.snapshot" : "watchlist.delta", record.Action);
        using (var detail = JsonDocument.Parse(record.Detail))
        {
            Assert.Equal(problem, detail.RootElement.GetProperty("problem").GetString());
            Assert.Equal(payload.Length, detail.RootElement.GetProperty("bytes").GetInt32());
        }

        Assert.False(string.IsNullOrWhiteSpace(record.Reason));
        Assert.Equal(before, rig.Store.List());
        Assert.Equal(version, rig.Store.CurrentVersion);

        // The refusal is audited, then logged: wait for the line itself rather than read the log at the audit.
        await Wait.UntilAsync(() => rig.SyncLogger.Collector.GetSnapshot().Count(e => e.Id.Id is 7005 or 7006) > logged, SyncRig.Timeout, "the refusal's log line");
        var lines = rig.SyncLogger.Collector.GetSnapshot().Where(e => e.Id.Id is 7005 or 7006).ToList();
        Assert.Equal(logged + 1, lines.Count);
        Assert.Contains(lines[^1].Id.Id == 7006 ? "held" : problem, lines[^1].Message, StringComparison.Ordinal);
        rig.SyncLogger.AssertNoErrors();
        return record;
    }
}
