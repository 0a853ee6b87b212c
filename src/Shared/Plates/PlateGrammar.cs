namespace EdgeAnpr.Shared.Plates;

/// <summary>One character position of a plate format: the set of characters allowed there.</summary>
public enum PlateSlot
{
    Digit,
    LatinLetter,

    /// <summary>The Latin look-alikes of Cyrillic plate letters only (A B E K M H O P C T Y X).</summary>
    CyrillicLookAlike,
    IranianLetter,

    /// <summary>A digit or a Latin letter (generic plates).</summary>
    Alphanumeric,
}

/// <summary>
/// The formats each region's plates are written in, as sequences of slots. The reader's decoder is
/// constrained to them, and canonical text is checked against them.
/// </summary>
public sealed class PlateGrammar
{
    private PlateGrammar(PlateRegion region, IReadOnlyList<PlateFormat> formats)
    {
        Region = region;
        Formats = formats;
    }

    public PlateRegion Region { get; }

    public IReadOnlyList<PlateFormat> Formats { get; }

    /// <summary>Iran: 2 digits, letter, 3 digits, 2-digit region code (<c>81و63813</c>).</summary>
    public static PlateGrammar Iran { get; } = new(PlateRegion.Ir, [PlateFormat.Parse("iran", "DDIDDDDD")]);

    /// <summary>
    /// Kazakhstan: the 2012 format (3 digits, 3 letters, 2-digit region: <c>530BMW16</c>), its
    /// 2-letter variant for legal entities (<c>238CM02</c>), and the 1993 format (region letter, 3 digits, 2-3 letters).
    /// </summary>
    public static PlateGrammar Kazakhstan { get; } = new(PlateRegion.Kz,
    [
        PlateFormat.Parse("kz-2012", "DDDLLLDD"),
        PlateFormat.Parse("kz-2012-org", "DDDLLDD"),
        PlateFormat.Parse("kz-1993", "LDDDLLL"),
        PlateFormat.Parse("kz-1993-org", "LDDDLL"),
    ]);

    /// <summary>Russia (GOST R 50577): letter, 3 digits, 2 letters, 2-3 digit region (<c>H002EX71</c>, <c>T786YT777</c>), and the 2-letter taxi/trailer forms.</summary>
    public static PlateGrammar Russia { get; } = new(PlateRegion.Ru,
    [
        PlateFormat.Parse("ru", "CDDDCCDD"),
        PlateFormat.Parse("ru-3", "CDDDCCDDD"),
        PlateFormat.Parse("ru-taxi", "CCDDDDD"),
        PlateFormat.Parse("ru-taxi-3-or-trailer", "CCDDDDDD"),
        PlateFormat.Parse("ru-trailer-3", "CCDDDDDDD"),
    ]);

    /// <summary>Generic Latin plates: 1 to 10 letters and digits.</summary>
    public static PlateGrammar Latin { get; } = new(PlateRegion.Latin,
        Enumerable.Range(1, 10).Select(n => PlateFormat.Parse($"latin-{n}", new string('A', n))).ToArray());

    /// <summary>
    /// Generic Latin plates restricted to a site's own formats, each a pattern of <c>D</c> (digit), <c>L</c> (letter)
    /// and <c>A</c> (either), 1 to 10 long: Brazil's <c>LLLDDDD</c> and <c>LLLDLDD</c>, say. Where the formats are
    /// known, a reader's 0/O and 1/I doubts are settled by the position. Throws <see cref="FormatException"/> naming a
    /// bad pattern.
    /// </summary>
    public static PlateGrammar LatinOf(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var formats = new List<PlateFormat>();
        foreach (var pattern in patterns)
        {
            if (!IsLatinPattern(pattern))
            {
                throw new FormatException($"'{pattern}' is not a Latin plate pattern: use 1 to 10 of D (digit), L (letter), A (either).");
            }

            if (formats.All(f => f.Name != pattern))
            {
                formats.Add(PlateFormat.Parse(pattern, pattern));
            }
        }

        return formats.Count == 0 ? Latin : new PlateGrammar(PlateRegion.Latin, formats);
    }

    /// <summary>Whether <paramref name="pattern"/> can be a format of <see cref="LatinOf"/>.</summary>
    public static bool IsLatinPattern(string? pattern) =>
        pattern is { Length: >= 1 and <= 10 } && pattern.All(c => c is 'D' or 'L' or 'A');

    public static PlateGrammar For(PlateRegion region) => region switch
    {
        PlateRegion.Ir => Iran,
        PlateRegion.Kz => Kazakhstan,
        PlateRegion.Ru => Russia,
        PlateRegion.Latin => Latin,
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, "Unknown plate region."),
    };

    /// <summary>The format that canonical <paramref name="text"/> matches, or null.</summary>
    public PlateFormat? Match(string text) => Formats.FirstOrDefault(f => f.Matches(text));
}

/// <summary>A named sequence of slots. Written as a pattern: D digit, L Latin letter, C Cyrillic look-alike, I Iranian letter, A alphanumeric.</summary>
public sealed class PlateFormat
{
    private PlateFormat(string name, PlateSlot[] slots)
    {
        Name = name;
        Slots = slots;
    }

    public string Name { get; }

    public IReadOnlyList<PlateSlot> Slots { get; }

    public static PlateFormat Parse(string name, string pattern) =>
        new(name, pattern.Select(c => c switch
        {
            'D' => PlateSlot.Digit,
            'L' => PlateSlot.LatinLetter,
            'C' => PlateSlot.CyrillicLookAlike,
            'I' => PlateSlot.IranianLetter,
            'A' => PlateSlot.Alphanumeric,
            _ => throw new FormatException($"Unknown slot '{c}' in plate pattern '{pattern}'."),
        }).ToArray());

    public bool Matches(string text)
    {
        if (text.Length != Slots.Count)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (!Allows(Slots[i], text[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static bool Allows(PlateSlot slot, char c) => slot switch
    {
        PlateSlot.Digit => c is >= '0' and <= '9',
        PlateSlot.LatinLetter => c is >= 'A' and <= 'Z',
        PlateSlot.CyrillicLookAlike => PlateAlphabet.CyrillicLookAlikes.Contains(c, StringComparison.Ordinal),
        PlateSlot.IranianLetter => PlateAlphabet.IsIranianLetter(c),
        PlateSlot.Alphanumeric => c is >= '0' and <= '9' or >= 'A' and <= 'Z',
        _ => false,
    };

    public override string ToString() => Name;
}
