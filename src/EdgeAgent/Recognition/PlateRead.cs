using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>
/// What a reader made of one plate crop for one region: the text of the most probable reading that is a plate of the
/// region (constrained to <see cref="PlateGrammar.For"/>), or, when every such reading is much less probable than what
/// the model saw, the model's own reading, flagged by <see cref="MatchesGrammar"/> false and <see cref="Confidence"/> 0.
/// </summary>
/// <param name="Region">The region whose grammar the read was decoded with.</param>
/// <param name="Characters">The characters read, canonical (<c>81و63813</c>, <c>H002EX71</c>); empty when none.</param>
/// <param name="Text">
/// <paramref name="Characters"/> as plate text; null when they cannot be one (nothing read, or an Iranian read without its letter).
/// </param>
/// <param name="CharacterConfidences">
/// One per character of <paramref name="Characters"/>: the highest probability the model gave that character's class
/// in the frames (output columns) the reading spends on it, the best look the reader had at it.
/// </param>
/// <param name="Confidence">
/// The lowest of <paramref name="CharacterConfidences"/>: a plate is only as sure as its least sure character, and,
/// unlike their product, the minimum does not mark long plates down for being long. 0 for a read outside the grammar.
/// </param>
/// <param name="Unconstrained">The plain CTC best-path (greedy) reading, grammar or not, for diagnosis and evaluation.</param>
/// <param name="GrammarCost">
/// How much less probable the best reading in the grammar is than <paramref name="Unconstrained"/>, as the difference of
/// their path log-probabilities (nats): 0 when the plain reading is a plate of the region, infinity when no reading is.
/// </param>
public sealed record PlateRead(
    PlateRegion Region,
    string Characters,
    PlateText? Text,
    IReadOnlyList<float> CharacterConfidences,
    float Confidence,
    string Unconstrained,
    float GrammarCost)
{
    /// <summary>The region format the read matches; null for a read outside the grammar.</summary>
    public PlateFormat? Format => Text?.Format;

    /// <summary>Whether the read is a plate of <see cref="Region"/>: its text matches one of the region's formats.</summary>
    public bool MatchesGrammar => Format is not null;

    public override string ToString() =>
        FormattableString.Invariant($"{Region.Code()} '{Characters}' {(MatchesGrammar ? Format!.Name : "outside the grammar")} {Confidence:0.000}");
}
