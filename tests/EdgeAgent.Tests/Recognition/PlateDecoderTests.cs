using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Shared.Plates;
using static EdgeAnpr.Agent.Tests.Recognition.Columns;

namespace EdgeAnpr.Agent.Tests.Recognition;

/// <summary>The grammar-constrained CTC decoder on synthetic reader outputs (no model).</summary>
public sealed class PlateDecoderTests
{
    [Fact]
    public void A_plain_reading_that_is_a_plate_is_kept_as_read()
    {
        var decoder = new PlateDecoder(Iranian, 0, PlateRegion.Ir);

        var read = decoder.Decode(Clear(Iranian, "-88-1-وو-6-3-8-1-3-"), 19);

        Assert.Equal("81و63813", read.Characters);
        Assert.Equal("81و63813", read.Text?.Value);
        Assert.Equal("iran", read.Format?.Name);
        Assert.True(read.MatchesGrammar);
        Assert.Equal("81و63813", read.Unconstrained);
        Assert.Equal(0f, read.GrammarCost);
        Assert.Equal(8, read.CharacterConfidences.Count);
        // Each character's probability given its slot: 0.9 against the blank and the other classes the slot allows.
        var rest = 0.1 / (Iranian.Length - 1);
        var digit = 0.9 / (0.9 + (10 * rest));
        Assert.All([0, 1, 3, 4, 5, 6, 7], i => Assert.Equal(digit, read.CharacterConfidences[i], 4));
        Assert.InRange(read.CharacterConfidences[2], 0.9f, digit);
        Assert.Equal(read.CharacterConfidences.Min(), read.Confidence);
        Assert.Equal(PlateRegion.Ir, read.Region);
    }

    [Fact]
    public void Repeated_columns_merge_and_a_blank_separates_equal_characters()
    {
        var decoder = new PlateDecoder(Latin, 0, PlateRegion.Latin);
        var columns = Of(
            Latin,
            Column(("A", 0.6)),
            Column(("A", 0.95)),
            Column(("", 0.8)),
            Column(("A", 0.7)),
            Column(("1", 0.9)),
            Column(("1", 0.5)),
            Column(("1", 0.9)),
            Column(("", 0.9)),
            Column(("", 0.9)),
            Column(("1", 0.85)));

        var read = decoder.Decode(columns, 10);

        Assert.Equal("AA11", read.Characters);
        Assert.Equal("latin-4", read.Format?.Name);

        // Each character's confidence is the best of the columns spent on it.
        Assert.Equal([0.95f, 0.7f, 0.9f, 0.85f], read.CharacterConfidences.Select(p => MathF.Round(p, 4)));
        Assert.Equal(0.7f, read.Confidence, 4);
    }

    [Fact]
    public void A_letter_O_in_a_digit_slot_becomes_the_digit_it_could_also_be()
    {
        // A Russian plate, letter + 3 digits + 2 letters + region: the model prefers O to 0 in the first digit.
        var decoder = new PlateDecoder(Latin, 0, PlateRegion.Ru);
        var columns = Of(
            Latin,
            [
                Column(("H", 0.9)), Column(("", 0.9)),
                Column(("O", 0.6), ("0", 0.35)), Column(("", 0.9)),
                .. "0-2-E-X-7-1".Select(c => Column((c == '-' ? "" : c.ToString(), 0.9))),
            ]);

        var read = decoder.Decode(columns, 15);

        Assert.Equal("HO02EX71", read.Unconstrained);
        Assert.Equal("H002EX71", read.Characters);
        Assert.Equal("ru", read.Format?.Name);

        // Given that a digit stands there, the O the reader saw is evidence for its look-alike 0: 0.6 + 0.35 against the
        // other digits and the blank. The reading in the grammar is then no less probable than the plain one.
        // (The share also holds the look-alikes I, Z, S, B of the digits 1, 2, 5, 8: 9 digits, 4 twins, the blank.)
        var rest = 0.05 / (Latin.Length - 2);
        Assert.Equal(0.95 / (0.95 + (14 * rest)), read.CharacterConfidences[1], 4);
        Assert.Equal(read.CharacterConfidences.Min(), read.Confidence);
        Assert.Equal(0f, read.GrammarCost);
    }

    [Fact]
    public void A_site_format_settles_O_and_0_by_position_and_a_real_doubt_still_lowers_the_confidence()
    {
        // Brazil's LLLDDDD: the model takes the first letter for a zero, and cannot tell 8 from B in the fourth place.
        var decoder = new PlateDecoder(Latin, 0, PlateGrammar.LatinOf(["LLLDDDD"]));
        var columns = Of(
            Latin,
            [
                Column(("0", 0.6), ("O", 0.3)), Column(("", 0.9)),
                .. "Z-C-".Select(c => Column((c == '-' ? "" : c.ToString(), 0.9))),
                Column(("8", 0.5), ("3", 0.4)), Column(("", 0.9)),
                .. "4-0-0-".Select(c => Column((c == '-' ? "" : c.ToString(), 0.9))),
            ]);

        var read = decoder.Decode(columns, 14);

        Assert.Equal("0ZC8400", read.Unconstrained);
        Assert.Equal("OZC8400", read.Characters);
        Assert.True(read.MatchesGrammar);
        // O, with the 0 it looks like, against the other letters (0.1 spread over every class here) and the blank.
        var rest = 0.1 / (Latin.Length - 2);
        Assert.Equal(0.9 / (0.9 + (30 * rest)), read.CharacterConfidences[0], 4);
        Assert.InRange(read.CharacterConfidences[3], 0.5f, 0.6f);
        Assert.Equal(read.CharacterConfidences[3], read.Confidence);
    }

    [Fact]
    public void A_zero_at_a_letter_slot_is_read_as_the_O_it_looks_like_not_the_likelier_other_letter()
    {
        // The model sees a 0 (0.6); of the letters it prefers D (0.2) to O (0.15). The format wants a letter: O, whose
        // look-alike the 0 is, has 0.75 of the evidence.
        var decoder = new PlateDecoder(Latin, 0, PlateGrammar.LatinOf(["LLLDDDD"]));
        var columns = Of(
            Latin,
            [
                Column(("0", 0.6), ("D", 0.2), ("O", 0.15)), Column(("", 0.9)),
                .. "K-M-0-9-4-4-".Select(c => Column((c == '-' ? "" : c.ToString(), 0.9))),
            ]);

        var read = decoder.Decode(columns, 14);

        Assert.Equal("0KM0944", read.Unconstrained);
        Assert.Equal("OKM0944", read.Characters);
        Assert.InRange(read.Confidence, 0.7f, 0.8f);
    }

    [Fact]
    public void Site_formats_must_be_patterns_of_digits_and_letters()
    {
        Assert.Same(PlateGrammar.Latin, PlateGrammar.LatinOf([]));
        Assert.Equal(["LLLDDDD", "LLLDLDD"], PlateGrammar.LatinOf(["LLLDDDD", "LLLDLDD", "LLLDDDD"]).Formats.Select(f => f.Name));
        Assert.Contains("'LLX'", Assert.Throws<FormatException>(() => PlateGrammar.LatinOf(["LLX"])).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => PlateGrammar.LatinOf(["DDDDDDDDDDD"]));
    }

    [Fact]
    public void A_character_the_model_half_saw_is_restored_when_a_format_needs_it()
    {
        // Kazakhstan: the last digit of 238CM02 is a little less likely than a blank, so the plain reading has six
        // characters, which no Kazakh format has; the 2-letter 2012 format (DDDLLDD) takes it back.
        var decoder = new PlateDecoder(Latin, 0, PlateRegion.Kz);
        var columns = Of(
            Latin,
            [.. "2-3-8-C-M-0-".Select(c => Column((c == '-' ? "" : c.ToString(), 0.9))), Column(("", 0.55), ("2", 0.4))]);

        var read = decoder.Decode(columns, 13);

        Assert.Equal("238CM0", read.Unconstrained);
        Assert.Equal("238CM02", read.Characters);
        Assert.Equal("kz-2012-org", read.Format?.Name);
        // Given a digit there, 2 against the blank (0.55) and the other digits: the blank's doubt still counts.
        // (2 with its look-alike Z; the other digits with theirs: 9 digits and the twins of 0, 1, 5, 8.)
        var rest = 0.05 / (Latin.Length - 2);
        Assert.Equal((0.4 + rest) / (0.4 + rest + 0.55 + (13 * rest)), read.Confidence, 4);
        // About log(0.55 / 0.4): a little less, as look-alikes add their small share to each character of the reading.
        Assert.InRange(read.GrammarCost, 0.29, Math.Log(0.55 / 0.4));
    }

    [Fact]
    public void A_reading_far_from_every_format_is_reported_as_read_and_flagged()
    {
        // Seven clear digits and no letter: an Iranian plate needs a letter in the third place, which would have to be
        // read where the model saw a clear digit or blank (0.9 against 0.003, about 5.7 nats).
        var columns = Clear(Iranian, "8-1-6-3-8-1-3");
        var decoder = new PlateDecoder(Iranian, 0, PlateRegion.Ir);

        var read = decoder.Decode(columns, 13);

        Assert.False(read.MatchesGrammar);
        Assert.Null(read.Format);
        Assert.Equal("8163813", read.Characters);
        Assert.Equal("8163813", read.Unconstrained);
        Assert.Null(read.Text);
        Assert.Equal(0f, read.Confidence);
        Assert.All(read.CharacterConfidences, p => Assert.Equal(0.9f, p, 4));
        Assert.InRange(read.GrammarCost, 5.5f, 6f);

        // A wider margin forces the plate, and its confidence shows how unlikely the forced letter is.
        var forced = new PlateDecoder(Iranian, 0, PlateRegion.Ir, grammarMargin: 10).Decode(columns, 13);

        Assert.True(forced.MatchesGrammar);
        Assert.Equal(8, forced.Characters.Length);
        Assert.True(PlateAlphabet.IsIranianLetter(forced.Characters[2]));
        Assert.InRange(forced.Confidence, 0f, 0.01f);
    }

    [Fact]
    public void Too_few_columns_for_any_plate_is_outside_the_grammar_at_infinite_cost()
    {
        var decoder = new PlateDecoder(Iranian, 0, PlateRegion.Ir, grammarMargin: 50);

        var read = decoder.Decode(Clear(Iranian, "8-1"), 3);

        Assert.False(read.MatchesGrammar);
        Assert.Equal("81", read.Characters);
        Assert.Equal(float.PositiveInfinity, read.GrammarCost);
    }

    [Fact]
    public void Nothing_read_is_an_empty_read_outside_the_grammar()
    {
        var decoder = new PlateDecoder(Latin, 0, PlateRegion.Latin);

        var read = decoder.Decode(Clear(Latin, "------"), 6);

        Assert.Equal("", read.Characters);
        Assert.Null(read.Text);
        Assert.Empty(read.CharacterConfidences);
        Assert.Equal(0f, read.Confidence);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_constrained_reading_is_the_most_probable_grammatical_path(int seed)
    {
        // Against every one of the 5^8 paths of a small alphabet through 8 random columns, for the Kazakh formats
        // (DDDLLLDD, DDDLLDD, LDDDLLL, LDDDLL).
        string[] charset = ["", "1", "2", "A", "B"];
        const int steps = 8;
        var columns = Random(seed, steps, charset.Length);
        var decoder = new PlateDecoder(charset, 0, PlateRegion.Kz, grammarMargin: 1000);

        var read = decoder.Decode(columns, steps);

        var (text, score, greedy) = BruteForce(charset, columns, steps, PlateGrammar.Kazakhstan);
        Assert.Equal(text, read.Characters);
        Assert.Equal(greedy - score, read.GrammarCost, 3);
        Assert.True(read.MatchesGrammar);
    }

    [Fact]
    public void Log_softmax_makes_each_row_a_distribution()
    {
        float[] logits = [1, 2, 3, -1000, 0, 1000];

        PlateDecoder.LogSoftmax(logits, 3);

        Assert.Equal(1.0, logits[..3].Sum(v => Math.Exp(v)), 5);
        Assert.Equal(1.0, logits[3..].Sum(v => Math.Exp(v)), 5);
        Assert.Equal(0f, logits[5]);
    }

    [Fact]
    public void A_character_set_that_cannot_write_a_region_is_refused_naming_the_slot()
    {
        var error = Assert.Throws<ArgumentException>(() => new PlateDecoder(Iranian, 0, PlateRegion.Ru));

        Assert.Equal("No class of the reader's character set can be written in slot CyrillicLookAlike of the ru format 'ru'.", error.Message);
    }

    [Fact]
    public void A_class_that_is_not_one_plate_character_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new PlateDecoder(["", "1", "AB"], 0, PlateRegion.Latin));

        Assert.StartsWith("Class 2 of the character set, 'AB', is not one plate character.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_that_do_not_fit_the_classes_are_refused()
    {
        var decoder = new PlateDecoder(Latin, 0, PlateRegion.Latin);

        Assert.Throws<ArgumentException>(() => decoder.Decode(new float[(3 * Latin.Length) + 1], 3));
    }

    private static (string Text, float Score, float Greedy) BruteForce(string[] charset, float[] columns, int steps, PlateGrammar grammar)
    {
        var classes = charset.Length;
        var path = new int[steps];
        var best = (Text: "", Score: float.NegativeInfinity);
        var greedy = float.NegativeInfinity;
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var score = 0f;
            text.Clear();
            for (var t = 0; t < steps; t++)
            {
                score += columns[(t * classes) + path[t]];
                if (path[t] != 0 && (t == 0 || path[t] != path[t - 1]))
                {
                    text.Append(charset[path[t]]);
                }
            }

            greedy = Math.Max(greedy, score);
            if (score > best.Score && grammar.Match(text.ToString()) is not null)
            {
                best = (text.ToString(), score);
            }

            var i = steps - 1;
            while (i >= 0 && ++path[i] == classes)
            {
                path[i--] = 0;
            }

            if (i < 0)
            {
                return (best.Text, best.Score, greedy);
            }
        }
    }
}
