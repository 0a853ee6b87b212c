using System.Text;
using System.Text.Json;
using EdgeAnpr.Agent.Storage;

namespace EdgeAnpr.Agent.Tests.Storage;

public sealed class WatchlistStoreTests
{
    private static readonly WatchlistVersion V1 = new(1, "hash1", "key1");

    [Fact]
    public void A_snapshot_replaces_the_station_entries_and_keeps_local_ones()
    {
        using var rig = new StorageRig();
        var store = rig.Own(new WatchlistStore(rig.OpenDatabase(), rig.Time));
        store.Upsert(Local("local-1", "LOC1"), "local:tech");
        store.ReplaceAll([Station("a", "AAA111"), Station("b", "BBB222")], V1, "station:key1");

        store.ReplaceAll([Station("c", "CCC333")], new WatchlistVersion(2, "hash2", "key1"), "station:key1");

        Assert.Equal(["c", "local-1"], store.List().Select(e => e.Id));
        Assert.Empty(store.FindByPlate("AAA111"));
        var state = store.CurrentVersion!;
        Assert.Equal(2, state.Version);
        Assert.Equal("hash2", state.SnapshotHash);
        Assert.Equal("key1", state.KeyId);
        Assert.Equal(rig.Time.GetUtcNow(), state.AppliedAt);
    }

    [Fact]
    public void Find_by_plate_is_exact_and_returns_every_field()
    {
        using var rig = new StorageRig();
        var store = rig.Own(new WatchlistStore(rig.OpenDatabase(), rig.Time));
        var from = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var full = new WatchlistEntry("x", "12B34567", "IR", "stolen", "vehicle", 7, from, from.AddDays(30), WatchlistSource.Station);
        store.ReplaceAll([full, Station("y", "12B34567", priority: 9), Station("z", "12B3456")], V1, "station:key1");

        var found = store.FindByPlate("12B34567");

        // Priority 1 is the most urgent (as in GPIO pulses and matching tolerance): most urgent first.
        Assert.Equal(["x", "y"], found.Select(e => e.Id));
        Assert.Equal(full, found[0]);
        Assert.Empty(store.FindByPlate("12b34567"));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void A_delta_applies_on_its_base_version_only()
    {
        using var rig = new StorageRig();
        var store = rig.Own(new WatchlistStore(rig.OpenDatabase(), rig.Time));
        store.ReplaceAll([Station("a", "AAA"), Station("b", "BBB")], V1, "station:key1");

        Assert.False(store.ApplyDelta(5, [Station("c", "CCC")], [], new WatchlistVersion(6, "h6", "key1"), "station:key1"));
        Assert.Equal(1, store.CurrentVersion!.Version);

        Assert.True(store.ApplyDelta(1, [Station("a", "AAA-NEW"), Station("c", "CCC")], ["b", "missing"], new WatchlistVersion(2, "h2", "key1"), "station:key1"));

        Assert.Equal(["a", "c"], store.List().Select(e => e.Id));
        Assert.Equal("AAA-NEW", store.List()[0].Plate);
        Assert.Equal(2, store.CurrentVersion!.Version);
    }

    [Fact]
    public void Changes_are_audited_in_the_same_transaction()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();
        var store = rig.Own(new WatchlistStore(database, rig.Time));
        var audit = rig.Own(new AuditLog(database, rig.Time));

        store.ReplaceAll([Station("a", "AAA")], V1, "station:key1");
        store.ApplyDelta(1, [Station("b", "BBB")], ["a"], new WatchlistVersion(2, "h2", "key1"), "station:key1");
        store.Upsert(Local("local-1", "LOC"), "local:tech");
        store.Remove("local-1", "local:tech");

        var entries = audit.Query();
        Assert.Equal(["watchlist.remove", "watchlist.upsert", "watchlist.delta", "watchlist.snapshot"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(AuditOutcome.Applied, e.Outcome));
        using var delta = JsonDocument.Parse(entries[2].Detail);
        Assert.Equal(1, delta.RootElement.GetProperty("baseVersion").GetInt64());
        Assert.Equal(2, delta.RootElement.GetProperty("version").GetInt64());
        Assert.Equal(1, delta.RootElement.GetProperty("removed").GetInt32());
        Assert.Equal("station:key1", entries[3].Actor);
    }

    [Fact]
    public void A_failed_snapshot_leaves_the_previous_list_and_version_whole()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();
        var store = rig.Own(new WatchlistStore(database, rig.Time));
        store.ReplaceAll([Station("a", "AAA")], V1, "station:key1");
        store.Upsert(Local("clash", "LOC"), "local:tech");

        // The station's list claims an id a technician's entry holds: refused midway, rolled back.
        Assert.Throws<InvalidOperationException>(() =>
            store.ReplaceAll([Station("b", "BBB"), Station("clash", "XXX")], new WatchlistVersion(2, "h2", "key1"), "station:key1"));

        Assert.Equal(["a", "clash"], store.List().Select(e => e.Id));
        Assert.Equal("LOC", store.FindByPlate("LOC")[0].Plate);
        Assert.Equal(1, store.CurrentVersion!.Version);
        Assert.DoesNotContain(rig.Own(new AuditLog(database, rig.Time)).Query(), e => e.Detail.Contains("h2", StringComparison.Ordinal));
    }

    [Fact]
    public void Entries_from_the_wrong_source_or_without_a_plate_are_refused()
    {
        using var rig = new StorageRig();
        var store = rig.Own(new WatchlistStore(rig.OpenDatabase(), rig.Time));

        Assert.Throws<ArgumentException>(() => store.ReplaceAll([Local("l", "LLL")], V1, "station:key1"));
        Assert.Throws<ArgumentException>(() => store.Upsert(Station("s", "SSS"), "local:tech"));
        Assert.Throws<ArgumentException>(() => store.ReplaceAll([Station("a", "")], V1, "station:key1"));
        Assert.Throws<ArgumentException>(() => store.ReplaceAll([Station("a", "A"), Station("a", "B")], V1, "station:key1"));
        Assert.False(store.Remove("nothing", "local:tech"));
        Assert.Null(store.CurrentVersion);
    }

    [Fact]
    public void Export_writes_json_lines_with_the_version_first()
    {
        using var rig = new StorageRig();
        var store = rig.Own(new WatchlistStore(rig.OpenDatabase(), rig.Time));
        store.ReplaceAll([Station("b", "BBB"), Station("a", "AAA")], V1, "station:key1");
        using var output = new MemoryStream();

        var count = store.Export(output);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, count);
        Assert.Equal(3, lines.Length);
        using var header = JsonDocument.Parse(lines[0]);
        Assert.Equal(1, header.RootElement.GetProperty("version").GetInt64());
        using var first = JsonDocument.Parse(lines[1]);
        Assert.Equal("a", first.RootElement.GetProperty("id").GetString());
        Assert.Equal("AAA", first.RootElement.GetProperty("plate").GetString());
        Assert.Equal("station", first.RootElement.GetProperty("source").GetString());
        Assert.Equal(rig.Time.GetUtcNow(), first.RootElement.GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public void Readers_keep_the_old_list_while_a_snapshot_is_being_written()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();
        var store = rig.Own(new WatchlistStore(database, rig.Time));
        store.ReplaceAll([Station("a", "AAA")], V1, "station:key1");
        using var writer = database.OpenConnection(Durability.Full);
        using var command = writer.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE; DELETE FROM watchlist;";
        command.ExecuteNonQuery();

        Assert.Single(store.FindByPlate("AAA"));

        command.CommandText = "ROLLBACK";
        command.ExecuteNonQuery();
    }

    private static WatchlistEntry Station(string id, string plate, int priority = 0) =>
        new(id, plate, "IR", "stolen", null, priority, null, null, WatchlistSource.Station);

    private static WatchlistEntry Local(string id, string plate) =>
        new(id, plate, "IR", "local interest", null, 0, null, null, WatchlistSource.Local);
}
