using System.Globalization;
using EdgeAnpr.Agent.Storage;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>How a read hit an entry.</summary>
public enum WatchlistMatchKind
{
    /// <summary>The read is the entry's canonical plate text.</summary>
    Exact,

    /// <summary>The read differs within the entry's priority's tolerance; <see cref="WatchlistMatch.Edits"/> says where.</summary>
    Tolerant,
}

public enum PlateEditKind
{
    /// <summary>The reader read one character of a confusion class for another (<c>O→0 at 3</c>).</summary>
    Substitution,

    /// <summary>The read lacks a character of the plate (<c>missing 'B' at 4</c>, the plate's position).</summary>
    Missing,

    /// <summary>The read has a character the plate lacks (<c>extra 'X' at 5</c>, the read's position).</summary>
    Extra,
}

/// <summary>One difference between a read and the plate it hit. <see cref="Position"/> counts from 1.</summary>
public readonly record struct PlateEdit(PlateEditKind Kind, int Position, char Read, char Listed)
{
    public override string ToString() => Kind switch
    {
        PlateEditKind.Substitution => string.Create(CultureInfo.InvariantCulture, $"{Read}→{Listed} at {Position}"),
        PlateEditKind.Missing => string.Create(CultureInfo.InvariantCulture, $"missing '{Listed}' at {Position}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"extra '{Read}' at {Position}"),
    };
}

/// <summary>A hit: the entry, the text that was read, and how the read matched (every hit says so).</summary>
public sealed record WatchlistMatch(WatchlistEntry Entry, string Read, WatchlistMatchKind Kind, IReadOnlyList<PlateEdit> Edits)
{
    /// <summary><c>exact</c>, or <c>tolerant: O→0 at 3</c>.</summary>
    public string How => Kind == WatchlistMatchKind.Exact ? "exact" : "tolerant: " + string.Join(", ", Edits);

    /// <summary>Whether <paramref name="entry"/> is in force at <paramref name="now"/>: [ValidFrom, ValidUntil).</summary>
    public static bool IsActive(WatchlistEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (entry.ValidFrom is not { } from || from <= now) && (entry.ValidUntil is not { } until || now < until);
    }

    public override string ToString() => $"{Entry.Plate} ({Entry.Id}, priority {Entry.Priority}): {How}";
}
