using System.Buffers;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>
/// A region's plate formats as a prefix tree over their slots, spelt in one reader's output classes, with the CTC
/// states the constrained decoder walks. Node 0 is the root (nothing read yet); every other node is one more
/// character, allowed to be any class its slot admits; a node where a format ends accepts it. Formats sharing a
/// prefix share its nodes (<c>latin-1</c> .. <c>latin-10</c> are one chain of ten nodes), so the cost of
/// <see cref="BestPath"/>, the constrained Viterbi search, grows with the tree, not with the number of formats.
/// </summary>
/// <remarks>
/// Each node has one blank state ("these characters read, now between characters") and one state per class its slot
/// admits ("reading this character as that class"), numbered consecutively from <see cref="FirstState"/>: the blank
/// state first. A path through the states is a CTC alignment; collapsing it gives a text the node's formats accept.
/// </remarks>
internal sealed class GrammarAutomaton
{
    private readonly bool[] _emits;
    private readonly int[][] _children;

    public GrammarAutomaton(PlateGrammar grammar, ReadOnlySpan<char> classCharacters, int blank)
    {
        Classes = classCharacters.Length;
        Blank = blank;
        var keys = new Dictionary<(int Parent, PlateSlot Slot), int>();
        var parent = new List<int> { -1 };
        var slots = new List<PlateSlot> { default };
        var accepts = new List<PlateFormat?> { null };
        foreach (var format in grammar.Formats)
        {
            var node = 0;
            foreach (var slot in format.Slots)
            {
                if (!keys.TryGetValue((node, slot), out var child))
                {
                    child = parent.Count;
                    keys.Add((node, slot), child);
                    parent.Add(node);
                    slots.Add(slot);
                    accepts.Add(null);
                }

                node = child;
            }

            accepts[node] ??= format;
        }

        NodeCount = parent.Count;
        Parent = [.. parent];
        Accepts = [.. accepts];
        _children = new int[NodeCount][];
        for (var n = 0; n < NodeCount; n++)
        {
            _children[n] = Enumerable.Range(0, NodeCount).Where(m => Parent[m] == n).ToArray();
        }

        _emits = new bool[NodeCount * Classes];
        FirstState = new int[NodeCount];
        CharacterStates = new int[NodeCount];
        var stateClass = new List<int>();
        var stateTwin = new List<int>();
        for (var n = 0; n < NodeCount; n++)
        {
            FirstState[n] = stateClass.Count;
            stateClass.Add(blank);
            stateTwin.Add(-1);
            if (n == 0)
            {
                continue;
            }

            for (var c = 0; c < Classes; c++)
            {
                if (c != blank && PlateFormat.Allows(slots[n], classCharacters[c]))
                {
                    _emits[(n * Classes) + c] = true;
                    stateClass.Add(c);
                    stateTwin.Add(TwinClass(slots[n], c, classCharacters));
                }
            }

            CharacterStates[n] = stateClass.Count - FirstState[n] - 1;
            if (CharacterStates[n] == 0)
            {
                var format = grammar.Formats.First(f => Reaches(f, n, keys));
                throw new ArgumentException(
                    $"No class of the reader's character set can be written in slot {slots[n]} of the {grammar.Region.Code()} format '{format.Name}'.");
            }
        }

        StateClass = [.. stateClass];
        StateTwin = [.. stateTwin];
    }

    /// <summary>
    /// The class of the look-alike of class <paramref name="c"/> (<see cref="PlateAlphabet.TwinOf"/>) when
    /// <paramref name="slot"/> does not allow it, else -1: at a letter-only slot the reader's 0 is evidence for O.
    /// </summary>
    internal static int TwinClass(PlateSlot slot, int c, ReadOnlySpan<char> classCharacters)
    {
        if (PlateAlphabet.TwinOf(classCharacters[c]) is not { } twin || PlateFormat.Allows(slot, twin))
        {
            return -1;
        }

        return classCharacters.IndexOf(twin);
    }

    public int Classes { get; }

    /// <summary>Per state: the class whose probability also counts for the state's class (its look-alike the slot forbids), or -1.</summary>
    public int[] StateTwin { get; }

    public int Blank { get; }

    public int NodeCount { get; }

    /// <summary>The node one character shorter; -1 for the root.</summary>
    public int[] Parent { get; }

    /// <summary>The format a text ending at each node matches, or null.</summary>
    public PlateFormat?[] Accepts { get; }

    /// <summary>Each node's blank state; its character states follow it.</summary>
    public int[] FirstState { get; }

    /// <summary>How many character states (classes its slot admits) each node has; 0 for the root.</summary>
    public int[] CharacterStates { get; }

    /// <summary>The class each state emits: the blank for blank states.</summary>
    public int[] StateClass { get; }

    public int StateCount => StateClass.Length;

    /// <summary>The format that the text spelt by <paramref name="classes"/> (blanks and repeats already removed) matches, or null.</summary>
    public PlateFormat? Match(ReadOnlySpan<int> classes)
    {
        // The tree may branch on slots that share characters (a digit or an alphanumeric), so every node a prefix can
        // reach is followed, not just one.
        Span<bool> current = NodeCount <= 256 ? stackalloc bool[NodeCount] : new bool[NodeCount];
        Span<bool> next = NodeCount <= 256 ? stackalloc bool[NodeCount] : new bool[NodeCount];
        current[0] = true;
        foreach (var c in classes)
        {
            next.Clear();
            var any = false;
            for (var n = 0; n < NodeCount; n++)
            {
                if (!current[n])
                {
                    continue;
                }

                foreach (var child in _children[n])
                {
                    if (_emits[(child * Classes) + c])
                    {
                        next[child] = true;
                        any = true;
                    }
                }
            }

            if (!any)
            {
                return null;
            }

            var swap = current;
            current = next;
            next = swap;
        }

        for (var n = 0; n < NodeCount; n++)
        {
            if (current[n] && Accepts[n] is { } format)
            {
                return format;
            }
        }

        return null;
    }

    /// <summary>
    /// The Viterbi search over the states (see <see cref="PlateDecoder"/>'s remarks): the most probable path of
    /// <paramref name="timeSteps"/> rows of class log-probabilities whose text the grammar accepts, as classes into
    /// <paramref name="path"/>; returns its log-probability, or negative infinity when no such path exists.
    /// </summary>
    /// <remarks>Keeps no state; the work space is rented from <see cref="ArrayPool{T}.Shared"/>.</remarks>
    public float BestPath(ReadOnlySpan<float> logProbabilities, int timeSteps, Span<int> path)
    {
        var states = StateCount;
        var nodes = NodeCount;
        var classes = Classes;
        var stateClass = StateClass;
        var stateTwin = StateTwin;
        var firstState = FirstState;
        var characterStates = CharacterStates;
        var parents = Parent;
        var blank = Blank;
        var previous = ArrayPool<float>.Shared.Rent(states);
        var next = ArrayPool<float>.Shared.Rent(states);
        var back = ArrayPool<int>.Shared.Rent(timeSteps * states);
        var top = ArrayPool<int>.Shared.Rent(2 * nodes);
        try
        {
            previous.AsSpan(0, states).Fill(float.NegativeInfinity);
            previous[firstState[0]] = 0f;
            for (var t = 0; t < timeSteps; t++)
            {
                var row = logProbabilities.Slice(t * classes, classes);
                var from = back.AsSpan(t * states, states);

                // The best and second-best character state of every node one step back: a new character of class c
                // may follow the parent's best character unless that is also c (CTC needs a blank between equal
                // characters), in which case the second best is the one to follow.
                for (var n = 1; n < nodes; n++)
                {
                    int first = -1, second = -1;
                    var end = firstState[n] + characterStates[n];
                    for (var s = firstState[n] + 1; s <= end; s++)
                    {
                        if (first < 0 || previous[s] > previous[first])
                        {
                            (second, first) = (first, s);
                        }
                        else if (second < 0 || previous[s] > previous[second])
                        {
                            second = s;
                        }
                    }

                    top[2 * n] = first;
                    top[(2 * n) + 1] = second;
                }

                for (var n = 0; n < nodes; n++)
                {
                    var blankState = firstState[n];
                    var stay = previous[blankState];
                    var stayFrom = blankState;
                    if (n > 0 && previous[top[2 * n]] > stay)
                    {
                        stay = previous[top[2 * n]];
                        stayFrom = top[2 * n];
                    }

                    next[blankState] = stay + row[blank];
                    from[blankState] = stayFrom;
                    if (n == 0)
                    {
                        continue;
                    }

                    var parent = parents[n];
                    var parentBlank = firstState[parent];
                    var enter = previous[parentBlank];
                    var parentFirst = parent > 0 ? top[2 * parent] : -1;
                    var parentSecond = parent > 0 ? top[(2 * parent) + 1] : -1;
                    var firstClass = parentFirst >= 0 ? stateClass[parentFirst] : -1;
                    var firstScore = parentFirst >= 0 ? previous[parentFirst] : float.NegativeInfinity;
                    var secondScore = parentSecond >= 0 ? previous[parentSecond] : float.NegativeInfinity;
                    var end = blankState + characterStates[n];
                    for (var s = blankState + 1; s <= end; s++)
                    {
                        var c = stateClass[s];
                        var incoming = previous[s];
                        var source = s;
                        if (enter > incoming)
                        {
                            incoming = enter;
                            source = parentBlank;
                        }

                        var (otherScore, other) = c == firstClass ? (secondScore, parentSecond) : (firstScore, parentFirst);
                        if (otherScore > incoming)
                        {
                            incoming = otherScore;
                            source = other;
                        }

                        var twin = stateTwin[s];
                        next[s] = incoming + (twin < 0 ? row[c] : LogAdd(row[c], row[twin]));
                        from[s] = source;
                    }
                }

                (previous, next) = (next, previous);
            }

            var best = -1;
            for (var n = 1; n < nodes; n++)
            {
                if (Accepts[n] is null)
                {
                    continue;
                }

                var end = firstState[n] + characterStates[n];
                for (var s = firstState[n]; s <= end; s++)
                {
                    if (best < 0 || previous[s] > previous[best])
                    {
                        best = s;
                    }
                }
            }

            if (best < 0 || float.IsNegativeInfinity(previous[best]))
            {
                return float.NegativeInfinity;
            }

            var score = previous[best];
            for (int t = timeSteps - 1, s = best; t >= 0; t--)
            {
                path[t] = stateClass[s];
                s = back[(t * states) + s];
            }

            return score;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(previous);
            ArrayPool<float>.Shared.Return(next);
            ArrayPool<int>.Shared.Return(back);
            ArrayPool<int>.Shared.Return(top);
        }
    }

    private static bool Reaches(PlateFormat format, int node, Dictionary<(int Parent, PlateSlot Slot), int> keys)
    {
        var at = 0;
        foreach (var slot in format.Slots)
        {
            at = keys[(at, slot)];
            if (at == node)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>log(e^a + e^b) without overflow.</summary>
    internal static float LogAdd(float a, float b)
    {
        var (high, low) = a >= b ? (a, b) : (b, a);
        return float.IsNegativeInfinity(high) ? high : high + MathF.Log(1f + MathF.Exp(low - high));
    }
}
