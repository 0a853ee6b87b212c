using System.Collections.Frozen;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>
/// The characters a plate reader confuses, as classes: two characters in one class may be read for each other.
/// Tolerant matching folds every character onto its class's first member, so a read and an entry that differ only
/// within classes share one folded key (an index lookup, not a scan).
/// <para>
/// Latin plates: 0/O/D/Q, 1/I/7, 2/Z, 5/S, 8/B (the list; the shapes differ only in a stroke or a corner at
/// plate resolution). Iranian plates carry ASCII digits in canonical text but show Persian glyphs, which are confused
/// differently: ۰/۵ (a dot and a small loop), ۲/۳ (two or three teeth), ۴/۶ (a hooked stroke). Persian letters that
/// share a body and differ in dots: ب/پ/ت/ث, ج/چ/ح/خ, د/ذ, ر/ز/ژ, س/ش, ص/ض, ط/ظ, ع/غ, ف/ق, ک/گ, ی/ئ (only those in
/// <see cref="PlateAlphabet.IranianLetters"/> can occur; the rest are listed so the classes read as a reader sees them);
/// and the Iranian readers' commonest confusions on held-out crops while they were developed, س/ص (the same body, teeth
/// or a loop) and ه/ی (the plate typeface's he and ye, which the data set's own labels mix up too).
/// A class table is a partition: 1~I and 1~7 put I~7 in one class too, which is the cost of an O(1) lookup.
/// </para>
/// </summary>
internal static class PlateConfusions
{
    public static IReadOnlyList<string> LatinClasses { get; } = ["0ODQ", "1I7", "2Z", "5S", "8B"];

    public static IReadOnlyList<string> IranianClasses { get; } =
        ["05", "23", "46", "بپتث", "جچحخ", "دذ", "رزژ", "سشصض", "طظ", "عغ", "فق", "کگ", "یئه"];

    private static readonly FrozenDictionary<char, char> Latin = Build(LatinClasses);
    private static readonly FrozenDictionary<char, char> Iranian = Build(IranianClasses);

    /// <summary>Whether canonical <paramref name="text"/> is an Iranian plate (it has a Persian letter), whose digits fold by their Persian glyphs.</summary>
    public static bool IsIranian(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (PlateAlphabet.IsIranianLetter(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Folds <paramref name="text"/> into <paramref name="destination"/> (same length).</summary>
    public static void Fold(ReadOnlySpan<char> text, Span<char> destination)
    {
        var table = IsIranian(text) ? Iranian : Latin;
        for (var i = 0; i < text.Length; i++)
        {
            destination[i] = table.TryGetValue(text[i], out var folded) ? folded : text[i];
        }
    }

    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Create(text.Length, text, static (span, t) => Fold(t, span));
    }

    /// <summary>Whether a reader may read <paramref name="read"/> for <paramref name="listed"/> on a plate of the given script.</summary>
    public static bool Confusable(char read, char listed, bool iranian)
    {
        var table = iranian ? Iranian : Latin;
        return table.TryGetValue(read, out var a) && table.TryGetValue(listed, out var b) && a == b;
    }

    private static FrozenDictionary<char, char> Build(IReadOnlyList<string> classes)
    {
        var map = new Dictionary<char, char>();
        foreach (var members in classes)
        {
            foreach (var c in members)
            {
                map.Add(c, members[0]);
            }
        }

        return map.ToFrozenDictionary();
    }
}
