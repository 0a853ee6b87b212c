using EdgeAnpr.Agent.Storage;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>
/// An immutable in-memory index of the watchlist for matching reads, built once per change of the list:
/// <list type="bullet">
/// <item>canonical text → entries (exact hits, and the missing/extra-character probes);</item>
/// <item>confusion-folded text → entries whose priority allows substitutions (<see cref="PlateConfusions"/>), so a
/// tolerant hit costs one lookup and a compare per candidate, never a scan of the list;</item>
/// <item>for entries whose priority allows a missing or extra character: each plate with one character deleted →
/// (entry, position), so a read missing a character is one lookup (a deletion index: a plate of n characters adds n
/// keys, which is why only those priorities get it); a read with one extra character is probed by deleting each of
/// its positions in turn and looking the rest up exactly (n span lookups, no allocation).</item>
/// </list>
/// Validity is checked at match time, so an entry expires without a reload. Thread-safe (read-only).
/// </summary>
public sealed class WatchlistIndex
{
    private readonly Dictionary<string, WatchlistEntry[]> _exact;
    private readonly Dictionary<string, WatchlistEntry[]>.AlternateLookup<ReadOnlySpan<char>> _exactBySpan;
    private readonly Dictionary<string, WatchlistEntry[]> _folded;
    private readonly Dictionary<string, WatchlistEntry[]>.AlternateLookup<ReadOnlySpan<char>> _foldedBySpan;
    private readonly Dictionary<string, Shortened[]> _shortened;
    private readonly bool _anyMissingOrExtra;

    private WatchlistIndex(IReadOnlyCollection<WatchlistEntry> entries, WatchlistTolerance tolerance)
    {
        Tolerance = tolerance;
        Count = entries.Count;
        _exact = Group(entries, e => e.Plate);
        _folded = Group(entries.Where(e => tolerance.SubstitutionsFor(e.Priority) > 0), e => PlateConfusions.Fold(e.Plate));
        _exactBySpan = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _foldedBySpan = _folded.GetAlternateLookup<ReadOnlySpan<char>>();
        var eligible = entries.Where(e => tolerance.MissingOrExtraFor(e.Priority) && e.Plate.Length > 1).ToArray();
        _anyMissingOrExtra = eligible.Length > 0;
        _shortened = eligible
            .SelectMany(e => Enumerable.Range(0, e.Plate.Length).Select(i => (Key: e.Plate.Remove(i, 1), Value: new Shortened(e, i))))
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Value).ToArray(), StringComparer.Ordinal);
        StationEntries = entries.Count(e => e.Source == WatchlistSource.Station);
    }

    public static WatchlistIndex Empty { get; } = new([], WatchlistTolerance.Default);

    /// <summary>Entries indexed, active or not.</summary>
    public int Count { get; }

    /// <summary>Of <see cref="Count"/>, those from the station.</summary>
    public int StationEntries { get; }

    public WatchlistTolerance Tolerance { get; }

    /// <summary>Distinct plate texts in the folded index (for the memory estimate in the log).</summary>
    internal int FoldedKeys => _folded.Count;

    public static WatchlistIndex Build(IReadOnlyCollection<WatchlistEntry> entries, WatchlistTolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(tolerance);
        return new WatchlistIndex(entries, tolerance);
    }

    /// <summary>
    /// The best active hit for canonical <paramref name="read"/>, or null: exact before tolerant, then the most urgent
    /// priority (lowest number), then the fewest edits, then the entry id.
    /// </summary>
    public WatchlistMatch? Match(string read, DateTimeOffset now)
    {
        var found = Collect(read, now, includeInactive: false);
        return found is null ? null : found.Count == 1 ? found[0] : found.Order(Best).First();
    }

    /// <summary>Every hit for <paramref name="read"/>, best first; with <paramref name="includeInactive"/> also expired and not-yet-valid entries.</summary>
    public IReadOnlyList<WatchlistMatch> MatchAll(string read, DateTimeOffset now, bool includeInactive = false) =>
        Collect(read, now, includeInactive)?.Order(Best).ToArray() ?? [];

    private static readonly Comparer<WatchlistMatch> Best = Comparer<WatchlistMatch>.Create((a, b) =>
    {
        var order = a.Kind.CompareTo(b.Kind);
        order = order != 0 ? order : a.Entry.Priority.CompareTo(b.Entry.Priority);
        order = order != 0 ? order : a.Edits.Count.CompareTo(b.Edits.Count);
        return order != 0 ? order : string.CompareOrdinal(a.Entry.Id, b.Entry.Id);
    });

    private List<WatchlistMatch>? Collect(string read, DateTimeOffset now, bool includeInactive)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (read.Length == 0 || Count == 0)
        {
            return null;
        }

        List<WatchlistMatch>? found = null;
        void Add(WatchlistEntry entry, WatchlistMatchKind kind, IReadOnlyList<PlateEdit> edits)
        {
            if (!includeInactive && !WatchlistMatch.IsActive(entry, now))
            {
                return;
            }

            found ??= [];
            // The same entry can be reached twice (deleting either of two equal neighbours); keep one.
            if (!found.Exists(m => ReferenceEquals(m.Entry, entry)))
            {
                found.Add(new WatchlistMatch(entry, read, kind, edits));
            }
        }

        if (_exact.TryGetValue(read, out var exact))
        {
            foreach (var entry in exact)
            {
                Add(entry, WatchlistMatchKind.Exact, []);
            }
        }

        Span<char> probe = stackalloc char[read.Length];
        if (_folded.Count > 0)
        {
            PlateConfusions.Fold(read, probe[..read.Length]);
            if (_foldedBySpan.TryGetValue(probe[..read.Length], out var candidates))
            {
                foreach (var entry in candidates)
                {
                    if (entry.Plate != read && Substitutions(read, entry.Plate) is { } edits && edits.Length <= Tolerance.SubstitutionsFor(entry.Priority))
                    {
                        Add(entry, WatchlistMatchKind.Tolerant, edits);
                    }
                }
            }
        }

        if (_anyMissingOrExtra)
        {
            ProbeExtra(read, probe, Add);
            if (_shortened.TryGetValue(read, out var longer))
            {
                // The read is a listed plate with one character deleted: it missed that character.
                foreach (var (entry, position) in longer)
                {
                    Add(entry, WatchlistMatchKind.Tolerant, [new PlateEdit(PlateEditKind.Missing, position + 1, '\0', entry.Plate[position])]);
                }
            }
        }

        return found;
    }

    /// <summary>The read has one character too many: delete each position in turn and look the rest up exactly.</summary>
    private void ProbeExtra(string read, Span<char> probe, Action<WatchlistEntry, WatchlistMatchKind, IReadOnlyList<PlateEdit>> add)
    {
        if (read.Length < 2)
        {
            return;
        }

        var shorter = probe[..(read.Length - 1)];
        for (var i = 0; i < read.Length; i++)
        {
            read.AsSpan(0, i).CopyTo(shorter);
            read.AsSpan(i + 1).CopyTo(shorter[i..]);
            if (_exactBySpan.TryGetValue(shorter, out var entries))
            {
                foreach (var entry in entries)
                {
                    if (!Tolerance.MissingOrExtraFor(entry.Priority))
                    {
                        continue;
                    }

                    add(entry, WatchlistMatchKind.Tolerant, [new PlateEdit(PlateEditKind.Extra, i + 1, read[i], '\0')]);
                }
            }
        }
    }

    /// <summary>The positions where a read and a plate with the same folded key differ (each within a confusion class).</summary>
    private static PlateEdit[]? Substitutions(string read, string plate)
    {
        if (read.Length != plate.Length)
        {
            return null;
        }

        var edits = new List<PlateEdit>(2);
        for (var i = 0; i < read.Length; i++)
        {
            if (read[i] != plate[i])
            {
                edits.Add(new PlateEdit(PlateEditKind.Substitution, i + 1, read[i], plate[i]));
            }
        }

        return [.. edits];
    }

    /// <summary>An entry whose plate, without the character at <see cref="Position"/>, is the key it is filed under.</summary>
    private readonly record struct Shortened(WatchlistEntry Entry, int Position);

    private static Dictionary<string, WatchlistEntry[]> Group(IEnumerable<WatchlistEntry> entries, Func<WatchlistEntry, string> key) =>
        entries
            .GroupBy(key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Priority).ThenBy(e => e.Id, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
}
