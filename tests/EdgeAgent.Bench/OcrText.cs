using System.Text;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Bench;

/// <summary>
/// What a general-purpose OCR engine wrote, made canonical plate text (<see cref="PlateText"/>'s rules) so that it can be
/// compared with the labels: each character folded with <see cref="PlateAlphabet.Fold"/> (lower case to upper, Persian
/// and Arabic-Indic digits to ASCII, Arabic letter forms to Persian ones), separators and anything a plate cannot carry
/// dropped. Latin text keeps only A-Z and 0-9; Iranian text keeps digits and the Iranian plate letters.
/// </summary>
internal static class OcrText
{
    /// <summary>The word printed beside the region code of Iranian plates ("Iran"); not part of the plate text.</summary>
    private static readonly string[] IranWords = ["ایران", "ايران"];

    /// <param name="raw">The engine's output.</param>
    /// <param name="region">Whose plate the crop is.</param>
    /// <param name="rightToLeft">
    /// Whether <paramref name="raw"/> is in logical order of a right-to-left line (Tesseract reading Persian): its runs
    /// are then put back into visual left-to-right order, the order canonical Iranian text uses.
    /// </param>
    public static string Canonical(string raw, PlateRegion region, bool rightToLeft)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (region == PlateRegion.Ir)
        {
            foreach (var word in IranWords)
            {
                raw = raw.Replace(word, " ", StringComparison.Ordinal);
            }
        }

        var runs = new List<StringBuilder>();
        var lastWasDigit = (bool?)null;
        foreach (var c in raw)
        {
            // Full-width forms (U+FF01..FF5E) are ASCII (U+0021..007E) in CJK dictionaries such as PP-OCR's.
            var folded = PlateAlphabet.Fold(c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c);
            if (folded is not { } kept || kept == '\0' || !Keeps(kept, region))
            {
                // A separator or a character no plate carries: it ends the run, as whitespace does in a line.
                lastWasDigit = null;
                continue;
            }

            var isDigit = char.IsAsciiDigit(kept);
            if (lastWasDigit != isDigit)
            {
                runs.Add(new StringBuilder());
            }

            runs[^1].Append(kept);
            lastWasDigit = isDigit;
        }

        if (rightToLeft)
        {
            // Unicode bidi (UAX #9) in a right-to-left paragraph: the runs are laid out right to left, and a run of
            // letters reads right to left, while a run of digits keeps its left-to-right order.
            runs.Reverse();
            foreach (var run in runs.Where(r => !char.IsAsciiDigit(r[0])))
            {
                var letters = run.ToString().ToCharArray();
                Array.Reverse(letters);
                run.Clear().Append(letters);
            }
        }

        return string.Concat(runs);
    }

    private static bool Keeps(char c, PlateRegion region) =>
        char.IsAsciiDigit(c) || (region == PlateRegion.Ir ? PlateAlphabet.IsIranianLetter(c) : char.IsAsciiLetterUpper(c));
}
