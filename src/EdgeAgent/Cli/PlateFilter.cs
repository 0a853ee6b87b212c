using System.Text.RegularExpressions;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// Keeps plates that did not hit out of text that leaves the box in a log bundle (journal lines, the status answer).
/// The rule: every plate-like token is replaced by <c>[plate]</c> unless it is a hit plate. A plate-like token is 5 to 10
/// capital Latin or other (Persian...) letters and digits, standing alone, with at least two digits and one letter: the
/// shape of every plate the reader emits (canonical text, no spaces) and of few other words in the agent's log
/// (identifiers there are lower-case: event ids, decoders, devices). Hit plates are those of the hits still in the
/// outbox and those the journal's own hit lines name (<c>Hit AYO9034: entry ...</c>): a plate that hit is what the
/// technician's station already has.
/// </summary>
internal sealed partial class PlateFilter
{
    public const string Mask = "[plate]";

    private readonly HashSet<string> _hits;

    public PlateFilter(IEnumerable<string> hitPlates) => _hits = new HashSet<string>(hitPlates, StringComparer.Ordinal);

    /// <summary>Plate-like tokens masked so far (for the bundle's README).</summary>
    public int Masked { get; private set; }

    /// <summary>The hit plates the lines' own hit messages name, added to those already known.</summary>
    public void LearnHits(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var line in lines)
        {
            if (HitLine().Match(line) is { Success: true } hit)
            {
                _hits.Add(hit.Groups["plate"].Value);
            }
        }
    }

    public string Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Token().Replace(text, match =>
        {
            var token = match.Value;
            if (_hits.Contains(token) || token.Count(char.IsDigit) < 2 || !token.Any(char.IsLetter) || IsoTime().IsMatch(token))
            {
                return token;
            }

            Masked++;
            return Mask;
        });
    }

    /// <summary>Pipeline log message 4402 (src/EdgeAgent/Pipeline/Log.cs): "Hit {Plate}: entry {EntryId}, ...".</summary>
    [GeneratedRegex(@"\bHit (?<plate>\S+): entry ")]
    private static partial Regex HitLine();

    /// <summary>The date-time seam of an ISO 8601 time (<c>2026-12-02T19:00:00</c> holds <c>02T19</c>), not a plate.</summary>
    [GeneratedRegex(@"^[0-9]{2}T[0-9]{2}$")]
    private static partial Regex IsoTime();

    [GeneratedRegex(@"(?<![\p{L}\p{Nd}_])[\p{Lu}\p{Lo}\p{Nd}]{5,10}(?![\p{L}\p{Nd}_])")]
    private static partial Regex Token();
}
