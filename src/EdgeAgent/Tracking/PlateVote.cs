using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Tracking;

/// <summary>
/// Votes the reads of one track into one text. Reads are grouped by region format (a Kazakh 7-character
/// plate of one format must not borrow characters from another format); the group with the most total
/// confidence wins; then each position takes the character with the most confidence-weighted votes.
/// One noisy frame cannot outvote several clear ones, and a clear frame outweighs several murky ones.
/// </summary>
public static class PlateVote
{
    public sealed record Result(PlateText Text, float[] CharConfidences, float Confidence);

    public static Result? Vote(IEnumerable<PlateObservation> observations)
    {
        var group = observations
            .Where(o => o.Text is not null && o.CharConfidences.Count == o.Text.Value.Length)
            .GroupBy(o => (o.Text!.Region, Format: o.Text.Format?.Name, o.Text.Value.Length))
            .MaxBy(g => g.Sum(o => (double)o.Confidence));
        if (group is null)
        {
            return null;
        }

        var reads = group.ToList();
        var length = group.Key.Length;
        var text = new char[length];
        var confidences = new float[length];
        var votes = new Dictionary<char, (double Weight, double ConfidenceSum, int Count)>();
        for (var i = 0; i < length; i++)
        {
            votes.Clear();
            double total = 0;
            foreach (var read in reads)
            {
                var c = read.Text!.Value[i];
                var confidence = read.CharConfidences[i];
                var current = votes.GetValueOrDefault(c);
                votes[c] = (current.Weight + confidence, current.ConfidenceSum + confidence, current.Count + 1);
                total += confidence;
            }

            var (winner, tally) = votes.MaxBy(v => v.Value.Weight);
            text[i] = winner;
            var agreement = total > 0 ? tally.Weight / total : 0;
            confidences[i] = (float)(agreement * (tally.ConfidenceSum / tally.Count));
        }

        var plate = PlateText.Parse(new string(text), group.Key.Region);
        return new Result(plate, confidences, confidences.Min());
    }
}
