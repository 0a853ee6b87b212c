using System.Buffers;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>
/// Turns a reader's per-column class log-probabilities into a <see cref="PlateRead"/> of one region: CTC decoding
/// (Graves et al. 2006: a path gives one class per column; merging repeats and dropping blanks gives the text)
/// constrained to the region's plate formats.
/// </summary>
/// <remarks>
/// <para>
/// First the plain best path: the most probable class of every column. When its text is a plate of the region, it is
/// the answer, since no path scores higher. Otherwise a Viterbi search finds the most probable path whose text matches
/// one of the formats: the states are those of <see cref="GrammarAutomaton"/> (a blank state per format position, and a
/// state per class the position's slot admits); from column to column a path may stay in its state (a blank, or a
/// repeated character), leave a character for the blank, or start the next position's character from the blank or,
/// when it is a different class, straight from the previous character. The best predecessor of every state is found in
/// constant time (the best and second-best character state of the parent position), so a search costs
/// O(columns x states): about 40 x 100 steps for the Iranian grammar, 32 x 370 for the generic Latin one.
/// </para>
/// <para>
/// If the best grammatical path is more than <see cref="GrammarMargin"/> nats less probable than the plain one, the
/// model saw something the grammar cannot write (a foreign plate, a missing character, a smudge read as a letter):
/// the plain reading is reported, outside the grammar, with confidence 0, instead of a forced plate.
/// </para>
/// <para>
/// A decoder keeps no state between calls and rents its work space from <see cref="ArrayPool{T}.Shared"/>, so one
/// decoder may serve several threads; a decode allocates only its result.
/// </para>
/// </remarks>
public sealed class PlateDecoder
{
    private readonly char[] _characters;
    private readonly GrammarAutomaton _automaton;
    private readonly float _margin;

    /// <summary>The classes each kind of slot allows.</summary>
    private readonly int[][] _slotClasses;

    /// <summary>Per kind of slot and class: the look-alike class whose probability also counts (<see cref="GrammarAutomaton.TwinClass"/>), or -1.</summary>
    private readonly int[][] _slotTwins;

    /// <param name="charset">The character of each output class (the sidecar's <c>charset</c>); the blank is "".</param>
    /// <param name="blank">The blank class.</param>
    /// <param name="region">The region whose formats constrain the reading.</param>
    /// <param name="grammarMargin">See <see cref="GrammarMargin"/>; default <see cref="RecognitionOptions.DefaultGrammarMargin"/>.</param>
    /// <exception cref="ArgumentException">A class is not one plate character, or a slot of a format has no class that can be written in it.</exception>
    public PlateDecoder(IReadOnlyList<string> charset, int blank, PlateRegion region, double grammarMargin = RecognitionOptions.DefaultGrammarMargin)
        : this(charset, blank, PlateGrammar.For(region), grammarMargin)
    {
    }

    /// <param name="charset">The character of each output class (the sidecar's <c>charset</c>); the blank is "".</param>
    /// <param name="blank">The blank class.</param>
    /// <param name="grammar">The formats that constrain the reading (a region's, or a site's own Latin formats).</param>
    /// <param name="grammarMargin">See <see cref="GrammarMargin"/>.</param>
    /// <exception cref="ArgumentException">A class is not one plate character, or a slot of a format has no class that can be written in it.</exception>
    public PlateDecoder(IReadOnlyList<string> charset, int blank, PlateGrammar grammar, double grammarMargin = RecognitionOptions.DefaultGrammarMargin)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(charset);
        ArgumentOutOfRangeException.ThrowIfNegative(blank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(blank, charset.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(grammarMargin);
        _characters = new char[charset.Count];
        for (var c = 0; c < charset.Count; c++)
        {
            if (c == blank)
            {
                continue;
            }

            _characters[c] = charset[c] is { Length: 1 } entry && PlateAlphabet.Fold(entry[0]) is { } folded && folded != '\0'
                ? folded
                : throw new ArgumentException($"Class {c} of the character set, '{charset[c]}', is not one plate character.", nameof(charset));
        }

        Region = grammar.Region;
        Blank = blank;
        GrammarMargin = grammarMargin;
        _margin = (float)grammarMargin;
        _automaton = new GrammarAutomaton(grammar, _characters, blank);
        _slotClasses = new int[Enum.GetValues<PlateSlot>().Length][];
        _slotTwins = new int[Enum.GetValues<PlateSlot>().Length][];
        foreach (var slot in Enum.GetValues<PlateSlot>())
        {
            _slotClasses[(int)slot] = [.. Enumerable.Range(0, _characters.Length).Where(c => c != blank && PlateFormat.Allows(slot, _characters[c]))];
            _slotTwins[(int)slot] = [.. Enumerable.Range(0, _characters.Length).Select(c => c == blank ? -1 : GrammarAutomaton.TwinClass(slot, c, _characters))];
        }
    }

    public PlateRegion Region { get; }

    /// <summary>The number of output classes, blank included.</summary>
    public int Classes => _characters.Length;

    public int Blank { get; }

    /// <summary>
    /// How much less probable (natural log of the ratio of path probabilities) the best reading in the grammar may be
    /// than the plain reading and still be reported as the plate; beyond it the read is reported outside the grammar.
    /// </summary>
    public double GrammarMargin { get; }

    /// <summary>
    /// Decodes one crop. <paramref name="logProbabilities"/> holds <paramref name="timeSteps"/> rows (output columns,
    /// left to right) of <see cref="Classes"/> log-probabilities each (a log-softmax; see <see cref="LogSoftmax"/>).
    /// </summary>
    public PlateRead Decode(ReadOnlySpan<float> logProbabilities, int timeSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeSteps);
        if (logProbabilities.Length != timeSteps * Classes)
        {
            throw new ArgumentException(
                $"{logProbabilities.Length} log-probabilities are not {timeSteps} steps of {Classes} classes.", nameof(logProbabilities));
        }

        var path = ArrayPool<int>.Shared.Rent(timeSteps);
        var characters = ArrayPool<char>.Shared.Rent(timeSteps);
        var confidences = ArrayPool<float>.Shared.Rent(timeSteps);
        var classes = ArrayPool<int>.Shared.Rent(timeSteps);
        try
        {
            var greedyScore = BestPath(logProbabilities, timeSteps, path);
            var count = Collapse(logProbabilities, path.AsSpan(0, timeSteps), classes, characters, confidences);
            var unconstrained = new string(characters, 0, count);
            if (_automaton.Match(classes.AsSpan(0, count)) is not null)
            {
                return Read(unconstrained, confidences.AsSpan(0, count), unconstrained, 0f, grammatical: true, logProbabilities, path.AsSpan(0, timeSteps), classes.AsSpan(0, count));
            }

            var score = _automaton.BestPath(logProbabilities, timeSteps, path);
            var cost = float.IsNegativeInfinity(score) ? float.PositiveInfinity : Math.Max(0f, greedyScore - score);
            if (cost > _margin)
            {
                return Read(unconstrained, confidences.AsSpan(0, count), unconstrained, cost, grammatical: false, logProbabilities, path.AsSpan(0, timeSteps), classes.AsSpan(0, count));
            }

            count = Collapse(logProbabilities, path.AsSpan(0, timeSteps), classes, characters, confidences);
            return Read(new string(characters, 0, count), confidences.AsSpan(0, count), unconstrained, cost, grammatical: true, logProbabilities, path.AsSpan(0, timeSteps), classes.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(path);
            ArrayPool<char>.Shared.Return(characters);
            ArrayPool<float>.Shared.Return(confidences);
            ArrayPool<int>.Shared.Return(classes);
        }
    }

    /// <summary>Turns each row of <paramref name="classes"/> raw scores (logits) into log-probabilities, in place.</summary>
    public static void LogSoftmax(Span<float> values, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (values.Length % classes != 0)
        {
            throw new ArgumentException($"{values.Length} values are not rows of {classes} classes.", nameof(values));
        }

        for (var start = 0; start < values.Length; start += classes)
        {
            var row = values.Slice(start, classes);
            var max = float.NegativeInfinity;
            foreach (var v in row)
            {
                max = Math.Max(max, v);
            }

            var sum = 0f;
            foreach (var v in row)
            {
                sum += MathF.Exp(v - max);
            }

            var shift = max + MathF.Log(sum);
            for (var i = 0; i < row.Length; i++)
            {
                row[i] -= shift;
            }
        }
    }

    private PlateRead Read(
        string characters, Span<float> confidences, string unconstrained, float cost, bool grammatical, ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> path, ReadOnlySpan<int> classes)
    {
        var text = PlateText.TryParse(characters, Region, out var plate, out _) ? plate : null;
        var format = text?.Format is null ? null : _automaton.Match(classes);
        grammatical &= format is not null;
        if (grammatical)
        {
            ConditionOn(format!, logProbabilities, path, confidences);
        }
        var minimum = confidences.IsEmpty ? 0f : float.PositiveInfinity;
        foreach (var c in confidences)
        {
            minimum = Math.Min(minimum, c);
        }

        return new PlateRead(Region, characters, text, confidences.ToArray(), grammatical ? minimum : 0f, unconstrained, cost);
    }

    /// <summary>
    /// Turns each character's confidence into its probability given the format: at the step where its class is most
    /// probable, that class's share of the classes the format allows in its slot (and of the blank). Where the format
    /// leaves one kind of character (a letter slot), the reader's doubt between look-alikes of the other kind (O or 0,
    /// I or 1) is no doubt about the plate; any doubt among what the slot allows, or about a character being there at
    /// all, still counts.
    /// </summary>
    private void ConditionOn(PlateFormat format, ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> path, Span<float> confidences)
    {
        var index = -1;
        var previous = Blank;
        for (var t = 0; t < path.Length; t++)
        {
            var c = path[t];
            if (c != Blank)
            {
                if (c != previous)
                {
                    index++;
                    confidences[index] = 0f;
                }

                var slot = format.Slots[index];
                var row = logProbabilities.Slice(t * Classes, Classes);
                var share = MathF.Exp(row[Blank]);
                foreach (var a in _slotClasses[(int)slot])
                {
                    share += Merged(row, slot, a);
                }

                confidences[index] = Math.Max(confidences[index], Merged(row, slot, c) / share);
            }

            previous = c;
        }
    }

    /// <summary>The probability of class <paramref name="c"/> in <paramref name="slot"/>, with its look-alike's when the slot forbids that.</summary>
    private float Merged(ReadOnlySpan<float> row, PlateSlot slot, int c)
    {
        var twin = _slotTwins[(int)slot][c];
        return MathF.Exp(row[c]) + (twin < 0 ? 0f : MathF.Exp(row[twin]));
    }

    /// <summary>The most probable class of each step into <paramref name="path"/>; returns the path's log-probability.</summary>
    private float BestPath(ReadOnlySpan<float> logProbabilities, int timeSteps, Span<int> path)
    {
        var score = 0f;
        for (var t = 0; t < timeSteps; t++)
        {
            var row = logProbabilities.Slice(t * Classes, Classes);
            var best = 0;
            for (var c = 1; c < row.Length; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            path[t] = best;
            score += row[best];
        }

        return score;
    }

    /// <summary>
    /// Collapses a path of classes (repeats merged, blanks dropped) into its classes and characters, each character
    /// with the highest probability of its class over the steps spent on it; returns the character count.
    /// </summary>
    private int Collapse(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> path, Span<int> classes, Span<char> characters, Span<float> confidences)
    {
        var count = 0;
        var previous = Blank;
        for (var t = 0; t < path.Length; t++)
        {
            var c = path[t];
            if (c != Blank)
            {
                var p = MathF.Exp(logProbabilities[(t * Classes) + c]);
                if (c != previous)
                {
                    classes[count] = c;
                    characters[count] = _characters[c];
                    confidences[count] = p;
                    count++;
                }
                else
                {
                    confidences[count - 1] = Math.Max(confidences[count - 1], p);
                }
            }

            previous = c;
        }

        return count;
    }
}
