using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Tests.Watchlist;

public sealed class WatchlistCsvTests
{
    [Fact]
    public void A_good_file_with_quotes_bom_crlf_and_blank_lines_reads_every_row()
    {
        var text = "\uFEFFplate,region,reason,priority,valid_until\r\n" +
                   "\r\n" +
                   "ab-123,latin,\"stolen, red car\",1,2025-12-31\r\n" +
                   "  \r\n" +
                   "\"81 و 638 13\",,\"said \"\"armed\"\"\",,2026-01-01T06:00:00+03:30\r\n" +
                   "H002EX71,ru,,3,\r\n";

        var result = WatchlistCsv.Read(text, PlateRegion.Latin);

        Assert.True(result.Ok, string.Join(" | ", result.Errors));
        Assert.Equal([3, 5, 6], result.Rows.Select(r => r.Line));
        var (latin, iranian, russian) = (result.Rows[0], result.Rows[1], result.Rows[2]);
        Assert.Equal(("AB123", PlateRegion.Latin, "stolen, red car", 1), (latin.Plate.Value, latin.Plate.Region, latin.Reason, latin.Priority));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), latin.ValidUntil);
        Assert.Equal(("81و63813", PlateRegion.Ir, "said \"armed\"", 2), (iranian.Plate.Value, iranian.Plate.Region, iranian.Reason, iranian.Priority));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 2, 30, 0, TimeSpan.Zero), iranian.ValidUntil);
        Assert.Equal((WatchlistCsv.DefaultReason, 3, (DateTimeOffset?)null), (russian.Reason, russian.Priority, russian.ValidUntil));
    }

    [Fact]
    public void Only_the_plate_column_is_needed_and_columns_may_come_in_any_order()
    {
        Assert.Equal(["ABC1"], WatchlistCsv.Read("plate\nabc1\n", PlateRegion.Latin).Rows.Select(r => r.Plate.Value));

        var rows = WatchlistCsv.Read("ID,Priority,Plate,Category,Valid_From\nx-1,4,XYZ9,van,2025-06-01T00:00:00Z\n", PlateRegion.Latin).Rows;

        Assert.Equal(("x-1", 4, "XYZ9", "van"), (rows[0].Id, rows[0].Priority, rows[0].Plate.Value, rows[0].Category));
    }

    [Fact]
    public void A_quoted_field_may_hold_a_line_break_and_the_line_numbers_stay_right()
    {
        var result = WatchlistCsv.Read("plate,reason\nAAA1,\"two\nlines\"\nBBB#2,x\n", PlateRegion.Latin);

        Assert.Equal(["line 4: plate 'BBB#2': '#' (U+0023) cannot appear on a plate ('BBB#2')"], result.Errors);
    }

    [Fact]
    public void Every_bad_row_is_reported_by_line_and_no_row_is_returned()
    {
        var text = """
            plate,region,reason,priority,valid_until
            GOOD1,latin,ok,1,2025-12-31
            AB#1,latin,bad char,2,
            ,latin,no plate,2,
            XYZ9,mars,bad region,2,
            XYZ8,latin,bad priority,11,
            XYZ7,latin,bad date,2,31/12/2025
            XYZ6,latin,no zone,2,2025-12-31T10:00:00
            good1,latin,again,1,
            XYZ5,latin,too,many,fields,here
            81و63813,latin,persian in latin,2,
            """;

        var result = WatchlistCsv.Read(text, PlateRegion.Latin);

        Assert.False(result.Ok);
        Assert.Empty(result.Rows);
        Assert.Collection(
            result.Errors,
            e => Assert.Equal("line 3: plate 'AB#1': '#' (U+0023) cannot appear on a plate ('AB#1')", e),
            e => Assert.Equal("line 4: the plate is empty", e),
            e => Assert.Equal("line 5: region 'mars' is not one of ir, kz, ru, latin", e),
            e => Assert.StartsWith("line 6: priority '11' is not a whole number from 1", e, StringComparison.Ordinal),
            e => Assert.StartsWith("line 7: valid_until '31/12/2025' is not a date", e, StringComparison.Ordinal),
            e => Assert.StartsWith("line 8: valid_until '2025-12-31T10:00:00' is not a date", e, StringComparison.Ordinal),
            e => Assert.Equal("line 9: plate GOOD1 is already on line 2", e),
            e => Assert.Equal("line 10: 6 field(s) where the header has 5", e),
            e => Assert.Equal("line 11: plate '81و63813': '81و63813' has a Persian letter but the region is latin", e));
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("plates,region\nA1,latin\n", "line 1: unknown column 'plates'")]
    [InlineData("region,reason\nlatin,x\n", "line 1: the header has no 'plate' column")]
    [InlineData("plate,plate\nA1,A2\n", "line 1: column 'plate' appears twice")]
    [InlineData("plate\n\"A1\n", "line 2: a quoted field is not closed")]
    [InlineData("plate,reason\nA1,\"x\"y\n", "line 2: text after a closing quote")]
    public void A_file_that_is_not_the_format_says_where(string text, string problem)
    {
        var result = WatchlistCsv.Read(text, PlateRegion.Latin);

        Assert.StartsWith(problem, Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void An_iranian_plate_that_fits_no_format_is_refused()
    {
        var result = WatchlistCsv.Read("plate\n1ب2\n", PlateRegion.Latin);

        Assert.StartsWith("line 2: plate '1ب2' (1ب2) fits no ir plate format (iran)", Assert.Single(result.Errors), StringComparison.Ordinal);
    }
}
