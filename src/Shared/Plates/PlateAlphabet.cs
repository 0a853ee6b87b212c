namespace EdgeAnpr.Shared.Plates;

/// <summary>The characters plates are written with, and how look-alike input characters fold onto them.</summary>
public static class PlateAlphabet
{
    /// <summary>
    /// The letters on Iranian plates, as stored in canonical text. U+267F (♿) marks the plate for
    /// disabled drivers. Seen in the shared data: ا ب پ ت ج د س ص ط ع ق ل م ن و ه ی ♿; the rest are
    /// issued but rare (ث ز ش ف ک گ ژ).
    /// </summary>
    public const string IranianLetters = "ابپتثجدزژسشصطعفقکگلمنوهی♿";

    /// <summary>Cyrillic letters Russian and Kazakh plates use that have Latin look-alikes (GOST R 50577: А В Е К М Н О Р С Т У Х).</summary>
    public const string CyrillicPlateLetters = "АВЕКМНОРСТУХ";

    /// <summary>The Latin letter stored for each of <see cref="CyrillicPlateLetters"/>.</summary>
    public const string CyrillicLookAlikes = "ABEKMHOPCTYX";

    /// <summary>
    /// The Latin letter and the digit that print alike on plates, as pairs: O and 0, I and 1, Z and 2, S and 5, B and 8.
    /// Where a format allows only one kind of character, a reader's belief in the other of a pair counts for this one.
    /// </summary>
    public static IReadOnlyList<(char Letter, char Digit)> LetterDigitTwins { get; } = [('O', '0'), ('I', '1'), ('Z', '2'), ('S', '5'), ('B', '8')];

    /// <summary>The character of the other kind that prints like <paramref name="c"/> (<c>O</c> for <c>0</c>), or null.</summary>
    public static char? TwinOf(char c)
    {
        foreach (var (letter, digit) in LetterDigitTwins)
        {
            if (c == letter)
            {
                return digit;
            }

            if (c == digit)
            {
                return letter;
            }
        }

        return null;
    }

    /// <summary>Folds one input character onto the canonical alphabet: ASCII digits, upper-case ASCII letters, Persian letters. Returns '\0' for separators, and null for anything else.</summary>
    public static char? Fold(char c)
    {
        if (c is >= '0' and <= '9' or >= 'A' and <= 'Z')
        {
            return c;
        }

        if (c is >= 'a' and <= 'z')
        {
            return (char)(c - 'a' + 'A');
        }

        // Persian (U+06F0..9) and Arabic-Indic (U+0660..9) digits are stored as ASCII digits.
        if (c is >= '\u06F0' and <= '\u06F9')
        {
            return (char)(c - '\u06F0' + '0');
        }

        if (c is >= '\u0660' and <= '\u0669')
        {
            return (char)(c - '\u0660' + '0');
        }

        var cyrillic = CyrillicPlateLetters.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
        if (cyrillic >= 0)
        {
            return CyrillicLookAlikes[cyrillic];
        }

        switch (c)
        {
            // Arabic code points for letters Persian writes with its own: yeh, kaf, heh forms, alef forms.
            case '\u064A' or '\u0649': return 'ی';
            case '\u0643': return 'ک';
            case '\u0629' or '\u06C0': return 'ه';
            case '\u0622' or '\u0623' or '\u0625': return 'ا';
            case ' ' or '-' or '.' or '_' or '\u200C' or '\u200F' or '\u200E' or '\u00A0': return '\0';
        }

        return IranianLetters.Contains(c, StringComparison.Ordinal) ? c : null;
    }

    public static bool IsIranianLetter(char c) => IranianLetters.Contains(c, StringComparison.Ordinal);
}
