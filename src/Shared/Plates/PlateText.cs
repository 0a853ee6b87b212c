using System.Text;

namespace EdgeAnpr.Shared.Plates;

/// <summary>
/// A plate's text in canonical form, the one form watchlists, events and matching use:
/// Latin plates as upper-case ASCII letters and digits without separators (<c>AYO9034</c>; Russian and
/// Kazakh Cyrillic letters as their Latin look-alikes); Iranian plates as their eight characters in visual
/// left-to-right order, digits in ASCII and the letter in Persian (<c>81و63813</c>).
/// </summary>
public sealed record PlateText
{
    private PlateText(string value, PlateRegion region, PlateFormat? format)
    {
        Value = value;
        Region = region;
        Format = format;
    }

    public string Value { get; }

    public PlateRegion Region { get; }

    /// <summary>The region format the text matches, or null for a text that fits none (kept, but flagged).</summary>
    public PlateFormat? Format { get; }

    /// <summary>The text for people: Iranian plates in Persian digits with the region code after "ایران" (<c>۸۱ و ۶۳۸ ایران ۱۳</c>); others as canonical.</summary>
    public string Display => Region == PlateRegion.Ir && Format is not null ? IranianDisplay(Value) : Value;

    /// <summary>Canonicalises what a person or another system typed; throws <see cref="FormatException"/> naming the bad character.</summary>
    public static PlateText Parse(string text, PlateRegion region) =>
        TryParse(text, region, out var plate, out var problem) ? plate : throw new FormatException(problem);

    public static bool TryParse(string? text, PlateRegion region, out PlateText plate, out string problem)
    {
        plate = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "The plate text is empty.";
            return false;
        }

        var canonical = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (PlateAlphabet.Fold(c))
            {
                case null:
                    problem = $"'{c}' (U+{(int)c:X4}) cannot appear on a plate ('{text}').";
                    return false;
                case '\0':
                    break;
                case var folded:
                    canonical.Append(folded.Value);
                    break;
            }
        }

        var value = canonical.ToString();
        if (value.Length is 0 or > 12)
        {
            problem = $"'{text}' has {value.Length} plate characters; plates have 1 to 12.";
            return false;
        }

        var hasIranianLetter = value.Any(PlateAlphabet.IsIranianLetter);
        if (hasIranianLetter != (region == PlateRegion.Ir))
        {
            problem = region == PlateRegion.Ir
                ? $"'{text}' has no Persian letter; Iranian plates read like 81و63813."
                : $"'{text}' has a Persian letter but the region is {region.Code()}.";
            return false;
        }

        plate = new PlateText(value, region, PlateGrammar.For(region).Match(value));
        problem = "";
        return true;
    }

    public override string ToString() => Value;

    private static string IranianDisplay(string value)
    {
        static string Persian(ReadOnlySpan<char> digits)
        {
            Span<char> persian = stackalloc char[digits.Length];
            for (var i = 0; i < digits.Length; i++)
            {
                persian[i] = (char)('\u06F0' + (digits[i] - '0'));
            }

            return new string(persian);
        }

        var span = value.AsSpan();
        return $"{Persian(span[..2])} {span[2]} {Persian(span[3..6])} ایران {Persian(span[6..8])}";
    }
}
