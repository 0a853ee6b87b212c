using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>
/// A region's plate formats as a prefix tree over their slots, spelt in one reader's output classes, with the CTC
/// states the constrained decoder walks. Node 0 is the root (nothing read yet); every other node is one more
/// character, allowed to be any class its slot admits; a node where a format ends accepts it. Formats sharing a
/// prefix share its nodes (<c>latin-1</c> .. <c>latin-10</c> are one chain of ten nodes), so the decoder's cost grows
/// with the tree, not with the number of formats.
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
        for (var n = 0; n < NodeCount; n++)
        {
            FirstState[n] = stateClass.Count;
            stateClass.Add(blank);
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
    }

    public int Classes { get; }

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
}
