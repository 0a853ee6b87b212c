using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Plates;
using EdgeAnpr.Shared.Watchlist;

namespace EdgeAnpr.Agent.Station;

/// <summary>Turns a station's CSV rows into signed-message entries, each with the row's <c>id</c> or <c>{region}-{plate}</c>.</summary>
internal static class StationWatchlist
{
    public static IReadOnlyList<WatchlistItem> Items(IEnumerable<WatchlistCsvRow> rows) =>
    [
        .. rows.Select(row => new WatchlistItem
        {
            Id = row.Id ?? WatchlistItem.DerivedId(row.Plate),
            Plate = row.Plate.Value,
            Region = row.Plate.Region.Code(),
            Reason = row.Reason,
            Category = row.Category,
            Priority = row.Priority,
            ValidFrom = row.ValidFrom,
            ValidUntil = row.ValidUntil,
        }),
    ];
}
