using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Events;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>The watchlist's match as the hit event's <c>match</c>.</summary>
public static class HitMatches
{
    /// <summary>The schema's limit on <see cref="HitMatch.Substitutions"/>.</summary>
    private const int MaxSubstitutionsLength = 256;

    /// <summary>
    /// Entry id, reason and priority of the matched entry, and how it matched; for a tolerant match the edits in
    /// the watchlist's words (<c>O→0 at 3, missing 'B' at 4</c>), null for an exact one.
    /// </summary>
    public static HitMatch ToHitMatch(this WatchlistMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var edits = match.Edits.Count == 0 ? null : string.Join(", ", match.Edits);
        return new HitMatch(
            match.Entry.Id,
            match.Entry.Reason,
            match.Entry.Priority,
            match.Kind == WatchlistMatchKind.Exact ? MatchKind.Exact : MatchKind.Tolerant,
            edits is { Length: > MaxSubstitutionsLength } ? edits[..(MaxSubstitutionsLength - 1)] + "…" : edits);
    }
}
