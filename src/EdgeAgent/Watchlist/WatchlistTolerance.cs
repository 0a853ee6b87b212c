namespace EdgeAnpr.Agent.Watchlist;

/// <summary>
/// How far a read may stray from an entry's plate and still hit, by the entry's priority (see
/// <see cref="WatchlistOptions.SubstitutionsByPriority"/> for the lookup rule). Immutable.
/// </summary>
public sealed class WatchlistTolerance
{
    private readonly KeyValuePair<int, int>[] _substitutions;
    private readonly KeyValuePair<int, bool>[] _missingOrExtra;

    public WatchlistTolerance(IReadOnlyDictionary<int, int> substitutions, IReadOnlyDictionary<int, bool> missingOrExtra)
    {
        ArgumentNullException.ThrowIfNull(substitutions);
        ArgumentNullException.ThrowIfNull(missingOrExtra);
        if (substitutions.Count == 0 || missingOrExtra.Count == 0)
        {
            throw new ArgumentException("Each tolerance table needs at least one priority.");
        }

        _substitutions = [.. substitutions.OrderBy(p => p.Key)];
        _missingOrExtra = [.. missingOrExtra.OrderBy(p => p.Key)];
    }

    /// <summary>The defaults: <see cref="WatchlistOptions.DefaultSubstitutions"/> and <see cref="WatchlistOptions.DefaultMissingOrExtra"/>.</summary>
    public static WatchlistTolerance Default { get; } = new(WatchlistOptions.DefaultSubstitutions, WatchlistOptions.DefaultMissingOrExtra);

    /// <summary>Exact matches only, whatever the priority.</summary>
    public static WatchlistTolerance ExactOnly { get; } = new(new Dictionary<int, int> { [0] = 0 }, new Dictionary<int, bool> { [0] = false });

    public static WatchlistTolerance From(WatchlistOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WatchlistTolerance(options.Substitutions(), options.MissingOrExtra());
    }

    /// <summary>Confusable substitutions allowed for an entry of <paramref name="priority"/>.</summary>
    public int SubstitutionsFor(int priority) => Lookup(_substitutions, priority);

    /// <summary>Whether one missing or extra character is allowed for an entry of <paramref name="priority"/>.</summary>
    public bool MissingOrExtraFor(int priority) => Lookup(_missingOrExtra, priority);

    /// <summary>One line for logs and <c>watchlist find</c>: <c>priority 1: 1 substitution + missing/extra; 2: 1; 3+: exact</c>.</summary>
    public override string ToString()
    {
        var keys = _substitutions.Select(p => p.Key).Concat(_missingOrExtra.Select(p => p.Key)).Distinct().Order().ToArray();
        return "priority " + string.Join("; ", keys.Select((k, i) =>
        {
            var label = i == keys.Length - 1 ? $"{k}+" : $"{k}";
            var substitutions = SubstitutionsFor(k);
            var text = substitutions == 0 ? "exact" : $"{substitutions} substitution{(substitutions == 1 ? "" : "s")}";
            return $"{label}: {text}{(MissingOrExtraFor(k) ? " or 1 missing/extra" : "")}";
        }));
    }

    private static T Lookup<T>(KeyValuePair<int, T>[] table, int priority)
    {
        // The largest key not above the priority; below every key, the smallest key's (as Gpio:PulseByPriority).
        var value = table[0].Value;
        foreach (var (key, entry) in table)
        {
            if (key > priority)
            {
                break;
            }

            value = entry;
        }

        return value;
    }
}
