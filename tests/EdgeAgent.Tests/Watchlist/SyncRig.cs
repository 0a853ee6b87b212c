using System.Security.Cryptography;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Topics;
using EdgeAnpr.Shared.Watchlist;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Watchlist;

/// <summary>
/// A box and a station around a real broker: the box has a real SQLite file in a temporary directory, a fake clock, the
/// real transport and <see cref="WatchlistSyncService"/> trusting <see cref="Key"/>; the station publishes raw payloads
/// through its own transport and waits for each PUBACK. Each rig has its own site, so retained messages stay its own.
/// </summary>
internal sealed class SyncRig : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private SyncRig(MosquittoBroker broker, ITestOutputHelper? output, string? site)
    {
        Broker = broker;
        Site = site ?? "s" + Guid.NewGuid().ToString("N")[..10];
        Directory = Path.Combine(Path.GetTempPath(), $"edge-anpr-watchlist-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        SyncLogger = output is null ? new FakeLogger<WatchlistSync>() : TestLogs.For<WatchlistSync>(output);
        Database = AgentDatabase.Open(Directory, Time, new FakeLogger<AgentDatabase>());
        Store = new WatchlistStore(Database, Time);
        Audit = new AuditLog(Database, Time);
        Trusted = StationKey.FromPublicPem(Key.ExportSubjectPublicKeyInfoPem());
        Matcher = new WatchlistMatcher(Store, WatchlistTolerance.Default, Time, new FakeLogger<WatchlistMatcher>());
    }

    public MosquittoBroker Broker { get; }

    public string Site { get; }

    public string Directory { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The station's signing key, trusted by the box.</summary>
    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public StationKey Trusted { get; }

    public string KeyId => Trusted.Id;

    public AgentDatabase Database { get; }

    public WatchlistStore Store { get; }

    public AuditLog Audit { get; }

    public WatchlistMatcher Matcher { get; }

    public WatchlistSync Sync { get; private set; } = null!;

    public FakeLogger<WatchlistSync> SyncLogger { get; }

    public FakeLogger<WatchlistSyncService> ServiceLogger { get; } = new();

    public MqttTransport Box { get; private set; } = null!;

    public MqttTransport Station { get; private set; } = null!;

    public WatchlistSyncService Service { get; private set; } = null!;

    public string SnapshotTopic => AnprTopics.WatchlistSnapshot(Site);

    public string DeltaTopic => AnprTopics.WatchlistDelta(Site);

    /// <summary>A running box and a connected station. <paramref name="trust"/> replaces the trusted keys (none: sync refused).</summary>
    public static async Task<SyncRig> StartAsync(
        MosquittoBroker broker, ITestOutputHelper? output = null, WatchlistOptions? options = null, StationKeys? trust = null, string? site = null)
    {
        var rig = new SyncRig(broker, output, site);
        rig.Sync = new WatchlistSync(rig.Site, rig.Store, rig.Audit, trust ?? StationKeys.Of(rig.Trusted), options ?? new WatchlistOptions(), rig.Matcher, rig.SyncLogger);
        rig.Station = await MqttTestKit.ConnectAsync(broker.ClientOptions("station-" + rig.Site), new FakeLogger<MqttTransport>());
        await rig.StartBoxAsync();
        return rig;
    }

    /// <summary>Starts (again) the box's transport and sync service, as a restarted box would.</summary>
    public async Task StartBoxAsync(string clientSuffix = "")
    {
        Box = MqttTestKit.Start(Broker.ClientOptions("box-" + Site + clientSuffix), new FakeLogger<MqttTransport>());
        Service = new WatchlistSyncService(Box, Sync, Store, ServiceLogger);
        await Service.StartAsync(CancellationToken.None);
    }

    public async Task StopBoxAsync()
    {
        await Service.StopAsync(CancellationToken.None);
        Service.Dispose();
        await Box.DisposeAsync();
    }

    public static WatchlistItem Item(string plate, int priority = WatchlistItem.DefaultPriority, string region = "latin", string? id = null) => new()
    {
        Id = id ?? $"{region}-{plate}",
        Plate = plate,
        Region = region,
        Reason = "stolen",
        Priority = priority,
    };

    public byte[] Snapshot(long version, params WatchlistItem[] items) =>
        WatchlistMessage.Sign(WatchlistBody.Snapshot(Site, version, Time.GetUtcNow(), KeyId, items), Key);

    public byte[] Delta(long baseVersion, long version, WatchlistItem[] upserts, string[] removals) =>
        WatchlistMessage.Sign(WatchlistBody.Delta(Site, baseVersion, version, Time.GetUtcNow(), KeyId, upserts, removals), Key);

    /// <summary>Publishes at QoS 1 as the station and waits for the broker's PUBACK.</summary>
    public async Task PublishAsync(string topic, byte[] payload, bool retain = false)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await Station.PublishAsync(topic, payload, MqttQos.AtLeastOnce, retain, cancel.Token);
    }

    /// <summary>Publishes a retained snapshot and waits until the box holds its version (which also proves the box subscribed).</summary>
    public async Task ApplySnapshotAsync(long version, params WatchlistItem[] items)
    {
        await PublishAsync(SnapshotTopic, Snapshot(version, items), retain: true);
        await WaitForVersionAsync(version);
    }

    public Task WaitForVersionAsync(long version) =>
        Wait.UntilAsync(() => Store.CurrentVersion?.Version == version, Timeout, $"watchlist version {version} (now {Store.CurrentVersion?.Version})");

    /// <summary>Waits for the next audit record after <paramref name="after"/> records and returns it.</summary>
    public async Task<AuditEntry> NextAuditAsync(int after)
    {
        await Wait.UntilAsync(() => Audit.Query(1000).Count > after, Timeout, $"audit record {after + 1}");
        return Audit.Query(1)[0];
    }

    public async ValueTask DisposeAsync()
    {
        await StopBoxAsync();
        await Station.DisposeAsync();
        Store.Dispose();
        Audit.Dispose();
        Trusted.Dispose();
        Key.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
