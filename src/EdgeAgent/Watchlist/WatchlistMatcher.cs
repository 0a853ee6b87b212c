using System.Diagnostics;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>
/// Matches each vehicle pass's read against the watchlist, from a <see cref="WatchlistIndex"/> held in memory and
/// swapped whole when the list changes: a station sync reloads it as soon as no further station message waits
/// (<see cref="Reload"/>), a technician's import from the CLI is noticed by <see cref="ReloadIfChanged"/>
/// (<see cref="WatchlistReloadService"/>). Matching never touches the database and never waits for a reload; it sees
/// the old list or the new one.
/// </summary>
public sealed class WatchlistMatcher
{
    private readonly WatchlistStore _store;
    private readonly WatchlistTolerance _tolerance;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _reloading = new();
    private volatile WatchlistIndex _index;
    private WatchlistChangeMark? _loaded;

    /// <param name="store">Where the list is read from; owned by the container.</param>
    /// <param name="tolerance">Per-priority tolerance (<see cref="WatchlistTolerance.From"/>).</param>
    /// <param name="time">The clock validity is judged by.</param>
    /// <param name="logger">Where reloads are logged.</param>
    public WatchlistMatcher(WatchlistStore store, WatchlistTolerance tolerance, TimeProvider time, ILogger<WatchlistMatcher> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _tolerance = tolerance ?? throw new ArgumentNullException(nameof(tolerance));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _index = WatchlistIndex.Build([], tolerance);
    }

    /// <summary>The index now in use (empty until the first <see cref="Reload"/>).</summary>
    public WatchlistIndex Index => _index;

    /// <summary>The best active hit for <paramref name="plate"/>, or null; the match says how it matched.</summary>
    public WatchlistMatch? Match(PlateText plate)
    {
        ArgumentNullException.ThrowIfNull(plate);
        return _index.Match(plate.Value, _time.GetUtcNow());
    }

    /// <summary>Every active hit for <paramref name="plate"/>, best first.</summary>
    public IReadOnlyList<WatchlistMatch> MatchAll(PlateText plate)
    {
        ArgumentNullException.ThrowIfNull(plate);
        return _index.MatchAll(plate.Value, _time.GetUtcNow());
    }

    /// <summary>Reads the whole list from the store and swaps the index; matching goes on meanwhile with the old one.</summary>
    public void Reload()
    {
        lock (_reloading)
        {
            var started = Stopwatch.GetTimestamp();
            // The mark first: a change landing between the two reads makes the next check reload again, never miss it.
            var mark = _store.ChangeMark;
            var index = WatchlistIndex.Build(_store.List(), _tolerance);
            _index = index;
            _loaded = mark;
            Log.Loaded(_logger, index.Count, index.StationEntries, index.Count - index.StationEntries, mark.Version, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Reloads when the store changed since the last load (by any process); true when it did.</summary>
    public bool ReloadIfChanged()
    {
        WatchlistChangeMark? loaded;
        lock (_reloading)
        {
            loaded = _loaded;
        }

        if (loaded is not null && _store.ChangeMark == loaded)
        {
            return false;
        }

        Reload();
        return true;
    }
}
