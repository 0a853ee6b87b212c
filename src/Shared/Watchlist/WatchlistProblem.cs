namespace EdgeAnpr.Shared.Watchlist;

/// <summary>Why a watchlist message was refused; the code is what audit records and log lines carry.</summary>
public enum WatchlistProblem
{
    /// <summary>Larger than the box accepts, on the wire or after decompression; refused before parsing.</summary>
    TooLarge,

    /// <summary>Not the envelope or body this format defines: not JSON, missing or unknown fields, bad values.</summary>
    Malformed,

    /// <summary>No signature at all (a bare body, or an envelope without one).</summary>
    NoSignature,

    /// <summary>Signed with a key id the box is not configured to trust.</summary>
    UnknownKey,

    /// <summary>The signature does not verify with the named key: forged, altered or signed with another key.</summary>
    BadSignature,

    /// <summary>Signed for another site (a message for site A replayed to site B).</summary>
    WrongSite,

    /// <summary>A snapshot on the delta topic or the other way round.</summary>
    WrongTopic,

    /// <summary>Its version is not newer than the one the box holds (a replay of an old message).</summary>
    Replayed,

    /// <summary>A delta whose base version is not the one the box holds.</summary>
    VersionGap,

    /// <summary>Sound, but storing it failed (disk full, an id clash with a local entry); the old list is kept.</summary>
    ApplyFailed,
}

public static class WatchlistProblems
{
    /// <summary>The kebab-case code: <c>bad-signature</c>, <c>version-gap</c>...</summary>
    public static string Code(this WatchlistProblem problem) => problem switch
    {
        WatchlistProblem.TooLarge => "too-large",
        WatchlistProblem.Malformed => "malformed",
        WatchlistProblem.NoSignature => "unsigned",
        WatchlistProblem.UnknownKey => "unknown-key",
        WatchlistProblem.BadSignature => "bad-signature",
        WatchlistProblem.WrongSite => "wrong-site",
        WatchlistProblem.WrongTopic => "wrong-topic",
        WatchlistProblem.Replayed => "replayed",
        WatchlistProblem.VersionGap => "version-gap",
        WatchlistProblem.ApplyFailed => "apply-failed",
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
    };
}

/// <summary>A watchlist message that must not be applied; <see cref="Exception.Message"/> is one line saying why.</summary>
public sealed class WatchlistMessageException : Exception
{
    public WatchlistMessageException(WatchlistProblem problem, string message)
        : base(message)
    {
        Problem = problem;
    }

    public WatchlistMessageException(WatchlistProblem problem, string message, Exception inner)
        : base(message, inner)
    {
        Problem = problem;
    }

    public WatchlistMessageException()
    {
    }

    public WatchlistMessageException(string message)
        : base(message)
    {
    }

    public WatchlistMessageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public WatchlistProblem Problem { get; } = WatchlistProblem.Malformed;

    /// <summary>What the envelope claimed before the message was refused, for the audit record (not trusted).</summary>
    public string? ClaimedKeyId { get; init; }
}
