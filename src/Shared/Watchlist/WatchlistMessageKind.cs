namespace EdgeAnpr.Shared.Watchlist;

/// <summary>What a signed watchlist message carries, and the topic it travels on (<c>AnprTopics.WatchlistSnapshot/Delta</c>).</summary>
public enum WatchlistMessageKind
{
    /// <summary>The whole station list at a version; published retained, so a box that subscribes gets the latest.</summary>
    Snapshot,

    /// <summary>Upserts and removals taking the list from one version to the next; published not retained.</summary>
    Delta,
}

public static class WatchlistMessageKinds
{
    /// <summary>The code in the signed body: <c>snapshot</c> or <c>delta</c>.</summary>
    public static string Code(this WatchlistMessageKind kind) => kind == WatchlistMessageKind.Snapshot ? "snapshot" : "delta";

    public static bool TryParse(string? code, out WatchlistMessageKind kind)
    {
        switch (code)
        {
            case "snapshot": kind = WatchlistMessageKind.Snapshot; return true;
            case "delta": kind = WatchlistMessageKind.Delta; return true;
            default: kind = default; return false;
        }
    }
}
