using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Watchlist;

namespace EdgeAnpr.Agent.Tests.Watchlist;

/// <summary>Matching: exact, each confusion class, per-priority tolerance, missing/extra characters, validity, Persian plates.</summary>
public sealed class WatchlistIndexTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_exact_read_matches_exactly()
    {
        var index = Index(Entry("A1", "ABC123", priority: 3));

        var match = index.Match("ABC123", Now);

        Assert.Equal(WatchlistMatchKind.Exact, match?.Kind);
        Assert.Equal("exact", match?.How);
        Assert.Empty(match!.Edits);
        Assert.Null(index.Match("ABC124", Now));
    }

    [Theory]
    [InlineData("0", "O")]
    [InlineData("O", "0")]
    [InlineData("D", "0")]
    [InlineData("Q", "O")]
    [InlineData("1", "I")]
    [InlineData("I", "7")]
    [InlineData("7", "1")]
    [InlineData("2", "Z")]
    [InlineData("Z", "2")]
    [InlineData("5", "S")]
    [InlineData("S", "5")]
    [InlineData("8", "B")]
    [InlineData("B", "8")]
    public void Each_latin_confusion_matches_tolerantly_and_says_where(string listed, string read)
    {
        var index = Index(Entry("E", $"AK{listed}4KM", priority: 1));

        var match = index.Match($"AK{read}4KM", Now);

        Assert.Equal(WatchlistMatchKind.Tolerant, match?.Kind);
        Assert.Equal($"tolerant: {read}→{listed} at 3", match?.How);
    }

    [Theory]
    [InlineData("A", "4")]
    [InlineData("G", "6")]
    [InlineData("M", "N")]
    [InlineData("0", "8")]
    public void Characters_outside_one_class_do_not_match(string listed, string read)
    {
        var index = Index(Entry("E", $"K{listed}123", priority: 1));

        Assert.Null(index.Match($"K{read}123", Now));
    }

    [Fact]
    public void Tolerance_follows_the_entry_priority()
    {
        // Defaults: priority 1 and 2 allow one substitution, 3 and below none; only priority 1 allows a missing/extra character.
        var index = Index(Entry("p1", "AB0123", priority: 1), Entry("p2", "CD0123", priority: 2), Entry("p3", "EF0123", priority: 3), Entry("p9", "GH0123", priority: 9));

        Assert.Equal("p1", index.Match("ABO123", Now)?.Entry.Id);
        Assert.Equal("p2", index.Match("CDO123", Now)?.Entry.Id);
        Assert.Null(index.Match("EFO123", Now));
        Assert.Null(index.Match("GHO123", Now));
        Assert.Null(index.Match("ABOI23", Now));
        Assert.Equal("p3", index.Match("EF0123", Now)?.Entry.Id);
    }

    [Fact]
    public void A_configured_table_changes_the_tolerance()
    {
        var tolerance = new WatchlistTolerance(new Dictionary<int, int> { [1] = 2, [2] = 0 }, new Dictionary<int, bool> { [1] = false });
        var index = WatchlistIndex.Build([Entry("p1", "AB0123", priority: 1), Entry("p2", "CD0123", priority: 2)], tolerance);

        Assert.Equal("tolerant: O→0 at 3, I→1 at 4", index.Match("ABOI23", Now)?.How);
        Assert.Null(index.Match("CDO123", Now));
        Assert.Null(index.Match("AB01234", Now));
        Assert.Equal("priority 1: 2 substitutions; 2+: exact", tolerance.ToString());
    }

    [Fact]
    public void One_missing_or_extra_character_matches_a_priority_1_entry()
    {
        var index = Index(Entry("p1", "AB1234", priority: 1), Entry("p2", "CD1234", priority: 2));

        Assert.Equal("tolerant: missing 'B' at 2", index.Match("A1234", Now)?.How);
        Assert.Equal("tolerant: missing '4' at 6", index.Match("AB123", Now)?.How);
        Assert.Equal("tolerant: extra 'X' at 3", index.Match("ABX1234", Now)?.How);
        Assert.Null(index.Match("C1234", Now));
        Assert.Null(index.Match("CDX1234", Now));
    }

    [Fact]
    public void Expired_and_not_yet_valid_entries_do_not_match()
    {
        var index = Index(
            Entry("expired", "OLD111", until: Now.AddTicks(-1)),
            Entry("ends-now", "END111", until: Now),
            Entry("future", "NEW111", from: Now.AddTicks(1)),
            Entry("open", "RUN111", from: Now, until: Now.AddDays(1)));

        Assert.Null(index.Match("OLD111", Now));
        Assert.Null(index.Match("END111", Now));
        Assert.Null(index.Match("NEW111", Now));
        Assert.Equal("open", index.Match("RUN111", Now)?.Entry.Id);
        Assert.Equal("expired", Assert.Single(index.MatchAll("OLD111", Now, includeInactive: true)).Entry.Id);
    }

    [Theory]
    [InlineData("ب", "پ")]
    [InlineData("ت", "ث")]
    [InlineData("ب", "ت")]
    [InlineData("ز", "ژ")]
    [InlineData("س", "ش")]
    [InlineData("ف", "ق")]
    [InlineData("ک", "گ")]
    [InlineData("ص", "س")]
    [InlineData("س", "ص")]
    [InlineData("ه", "ی")]
    [InlineData("ی", "ه")]
    public void Look_alike_persian_letters_match_tolerantly(string listed, string read)
    {
        var index = Index(Entry("ir", $"12{listed}34567", priority: 1, region: "ir"));

        Assert.Equal($"tolerant: {read}→{listed} at 3", index.Match($"12{read}34567", Now)?.How);
    }

    [Theory]
    [InlineData('2', '3')]
    [InlineData('4', '6')]
    [InlineData('0', '5')]
    public void Look_alike_persian_digits_match_tolerantly_on_iranian_plates_only(char listed, char read)
    {
        var index = Index(Entry("ir", $"1{listed}ب34567", priority: 1, region: "ir"), Entry("latin", $"A{listed}B345", priority: 1));

        Assert.Equal($"tolerant: {read}→{listed} at 2", index.Match($"1{read}ب34567", Now)?.How);
        Assert.Null(index.Match($"A{read}B345", Now));
    }

    [Fact]
    public void Latin_confusions_do_not_apply_to_iranian_digits()
    {
        var index = Index(Entry("ir", "12ب34567", priority: 1, region: "ir"));

        Assert.Null(index.Match("17ب34567", Now));
        Assert.Equal("ir", index.Match("12ب34567", Now)?.Entry.Id);
    }

    [Fact]
    public void The_best_hit_is_exact_then_most_urgent_then_fewest_edits()
    {
        var index = Index(
            Entry("tolerant-urgent", "AB0123", priority: 1),
            Entry("exact-routine", "ABO123", priority: 2),
            Entry("exact-urgent", "ABO123", priority: 1, source: WatchlistSource.Local));

        var all = index.MatchAll("ABO123", Now);

        Assert.Equal(["exact-urgent", "exact-routine", "tolerant-urgent"], all.Select(m => m.Entry.Id));
        Assert.Equal("exact-urgent", index.Match("ABO123", Now)?.Entry.Id);
    }

    [Fact]
    public void An_empty_list_matches_nothing()
    {
        Assert.Null(WatchlistIndex.Empty.Match("ABC123", Now));
        Assert.Empty(WatchlistIndex.Empty.MatchAll("ABC123", Now));
    }

    private static WatchlistIndex Index(params WatchlistEntry[] entries) => WatchlistIndex.Build(entries, WatchlistTolerance.Default);

    private static WatchlistEntry Entry(
        string id, string plate, int priority = 2, DateTimeOffset? from = null, DateTimeOffset? until = null, string region = "latin",
        WatchlistSource source = WatchlistSource.Station) =>
        new(id, plate, region, "stolen", null, priority, from, until, source);
}
