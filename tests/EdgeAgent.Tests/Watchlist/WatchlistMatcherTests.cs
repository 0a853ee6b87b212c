using System.Diagnostics;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Storage;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Watchlist;

/// <summary>The store-backed matcher: reloads, the clock, and how long matching takes against 100,000 entries.</summary>
public sealed class WatchlistMatcherTests(ITestOutputHelper output)
{
    [Fact]
    public void A_change_made_by_another_process_is_picked_up_by_the_reload_check()
    {
        using var rig = new StorageRig();
        var database = rig.OpenDatabase();
        var store = rig.Own(new WatchlistStore(database, rig.Time));
        var cli = rig.Own(new WatchlistStore(rig.OpenDatabase(), rig.Time));
        var matcher = new WatchlistMatcher(store, WatchlistTolerance.Default, rig.Time, new FakeLogger<WatchlistMatcher>());
        matcher.Reload();
        Assert.False(matcher.ReloadIfChanged());

        rig.Time.Advance(TimeSpan.FromSeconds(1));
        cli.ImportLocal([Local("local-latin-LOC123", "LOC123")], replace: false, "local:tech", "/tmp/list.csv");

        Assert.Null(matcher.Match(Plate("LOC123")));
        Assert.True(matcher.ReloadIfChanged());
        Assert.Equal("local-latin-LOC123", matcher.Match(Plate("LOC123"))?.Entry.Id);
        Assert.False(matcher.ReloadIfChanged());

        cli.Remove("local-latin-LOC123", "local:tech");
        Assert.True(matcher.ReloadIfChanged());
        Assert.Null(matcher.Match(Plate("LOC123")));
    }

    [Fact]
    public void An_entry_stops_matching_when_the_clock_passes_its_end_without_a_reload()
    {
        using var rig = new StorageRig();
        var store = rig.Own(new WatchlistStore(rig.OpenDatabase(), rig.Time));
        var until = rig.Time.GetUtcNow().AddHours(1);
        store.ImportLocal([Local("local-a", "TEMP01") with { ValidUntil = until }], replace: false, "local:tech", "list.csv");
        var matcher = new WatchlistMatcher(store, WatchlistTolerance.Default, rig.Time, new FakeLogger<WatchlistMatcher>());
        matcher.Reload();

        Assert.NotNull(matcher.Match(Plate("TEMP01")));
        rig.Time.Advance(TimeSpan.FromHours(1));
        Assert.Null(matcher.Match(Plate("TEMP01")));
    }

    [Fact]
    public void Matching_against_100000_entries_takes_microseconds()
    {
        const int Entries = 100_000;
        var random = new Random(1234);
        var plates = new HashSet<string>(StringComparer.Ordinal);
        while (plates.Count < Entries)
        {
            plates.Add(RandomPlate(random));
        }

        var entries = plates.Select((p, i) => new WatchlistEntry($"latin-{p}", p, "latin", "stolen", null, 1 + i % 4, null, null, WatchlistSource.Station)).ToArray();
        using var rig = new StorageRig();
        var store = rig.Own(new WatchlistStore(rig.OpenDatabase(), rig.Time));
        var started = Stopwatch.GetTimestamp();
        store.ReplaceAll(entries, new WatchlistVersion(1, "sha256:test", "key"), "station:key");
        var stored = Stopwatch.GetElapsedTime(started);
        var matcher = new WatchlistMatcher(store, WatchlistTolerance.Default, rig.Time, new FakeLogger<WatchlistMatcher>());
        started = Stopwatch.GetTimestamp();
        matcher.Reload();
        var reloaded = Stopwatch.GetElapsedTime(started);

        // Reads: exact hits, one-confusion hits, one-missing-character probes and misses, a quarter each.
        var listed = plates.ToArray();
        var reads = Enumerable.Range(0, 20_000).Select(i => (i % 4) switch
        {
            0 => listed[random.Next(Entries)],
            1 => Confuse(listed[random.Next(Entries)]),
            2 => listed[random.Next(Entries)][1..],
            _ => RandomPlate(random),
        }).Select(t => PlateText.Parse(t, PlateRegion.Latin)).ToArray();
        foreach (var read in reads.Take(1000))
        {
            matcher.Match(read);
        }

        var hits = 0;
        var perKind = new TimeSpan[4];
        for (var i = 0; i < reads.Length; i++)
        {
            var one = Stopwatch.GetTimestamp();
            hits += matcher.Match(reads[i]) is null ? 0 : 1;
            perKind[i % 4] += Stopwatch.GetElapsedTime(one);
        }

        var matching = perKind.Aggregate(TimeSpan.Zero, (a, b) => a + b);
        var listRead = Stopwatch.GetTimestamp();
        var all = store.List();
        var listed100k = Stopwatch.GetElapsedTime(listRead);
        var build = Stopwatch.GetTimestamp();
        _ = WatchlistIndex.Build(all, WatchlistTolerance.Default);
        var built = Stopwatch.GetElapsedTime(build);
        string Micro(TimeSpan t) => (t.TotalMicroseconds / (reads.Length / 4)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine(
            $"100k entries: stored in {stored.TotalMilliseconds:F0} ms; reload {reloaded.TotalMilliseconds:F0} ms " +
            $"(read {listed100k.TotalMilliseconds:F0} ms + index {built.TotalMilliseconds:F0} ms), {GC.GetTotalMemory(forceFullCollection: true) / (1024 * 1024)} MB managed heap; " +
            $"{reads.Length} matches, {matching.TotalMicroseconds / reads.Length:F1} µs per read on average " +
            $"(exact hit {Micro(perKind[0])}, confusion hit {Micro(perKind[1])}, missing character {Micro(perKind[2])}, miss {Micro(perKind[3])} µs), {hits} hits");
        Assert.True(hits >= reads.Length / 4);
    }

    private static string RandomPlate(Random random)
    {
        const string Letters = "ABCEHKMPTXY";
        Span<char> plate = stackalloc char[7];
        for (var i = 0; i < plate.Length; i++)
        {
            plate[i] = i is 0 or 4 or 5 ? Letters[random.Next(Letters.Length)] : (char)('0' + random.Next(10));
        }

        return new string(plate);
    }

    private static string Confuse(string plate)
    {
        var i = plate.IndexOfAny(['0', '8', '5', '2', '1', 'B']);
        return i < 0 ? plate : plate[..i] + plate[i] switch { '0' => 'O', '8' => 'B', '5' => 'S', '2' => 'Z', '1' => 'I', _ => '8' } + plate[(i + 1)..];
    }

    private static PlateText Plate(string text) => PlateText.Parse(text, PlateRegion.Latin);

    private static WatchlistEntry Local(string id, string plate) => new(id, plate, "latin", "seen", null, 2, null, null, WatchlistSource.Local);
}
