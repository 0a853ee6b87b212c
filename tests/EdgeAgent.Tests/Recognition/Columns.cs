namespace EdgeAnpr.Agent.Tests.Recognition;

/// <summary>
/// Synthetic reader outputs for decoder tests: one row of class log-probabilities per output column, written as the
/// probabilities of a few characters ("" is the blank); the rest of each column's probability is spread evenly over
/// the other classes.
/// </summary>
internal static class Columns
{
    /// <summary>The Iranian reader's character set (training/platereader/charsets.py, IR_CHARSET).</summary>
    public static readonly string[] Iranian =
        ["", .. "0123456789".Select(c => c.ToString()), .. "ابپتثجدزسشصطعفقکگلمنوهی♿".Select(c => c.ToString())];

    /// <summary>The Latin reader's character set (LATIN_CHARSET).</summary>
    public static readonly string[] Latin =
        ["", .. "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".Select(c => c.ToString())];

    /// <summary>
    /// One column per entry of <paramref name="text"/>: '-' a clear blank (0.9), any other character that
    /// character at 0.9.
    /// </summary>
    public static float[] Clear(string[] charset, string text) =>
        Of(charset, text.Select(c => c == '-' ? Column(("", 0.9)) : Column((c.ToString(), 0.9))).ToArray());

    /// <summary>A column giving the listed classes these probabilities.</summary>
    public static (string Class, double Probability)[] Column(params (string Class, double Probability)[] probabilities) => probabilities;

    /// <summary>The log-probability rows of the columns, <c>[columns x classes]</c>.</summary>
    public static float[] Of(string[] charset, params (string Class, double Probability)[][] columns)
    {
        var rows = new float[columns.Length * charset.Length];
        for (var t = 0; t < columns.Length; t++)
        {
            var listed = columns[t];
            var rest = (1 - listed.Sum(p => p.Probability)) / (charset.Length - listed.Length);
            Assert.True(rest > 0, "The listed probabilities of a column must leave some for the other classes.");
            for (var c = 0; c < charset.Length; c++)
            {
                var match = listed.Where(p => p.Class == charset[c]).Select(p => p.Probability).DefaultIfEmpty(rest).First();
                rows[(t * charset.Length) + c] = (float)Math.Log(match);
            }

            Assert.All(listed, p => Assert.Contains(p.Class, charset));
        }

        return rows;
    }

    /// <summary>Rows of random raw scores in [-3, 3) turned into log-probabilities.</summary>
    public static float[] Random(int seed, int steps, int classes)
    {
        var random = new Random(seed);
        var rows = new float[steps * classes];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)((random.NextDouble() * 6) - 3);
        }

        EdgeAnpr.Agent.Recognition.PlateDecoder.LogSoftmax(rows, classes);
        return rows;
    }
}
