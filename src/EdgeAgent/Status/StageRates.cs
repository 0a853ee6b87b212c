using EdgeAnpr.Agent.Pipeline;

namespace EdgeAnpr.Agent.Status;

/// <summary>
/// Frames captured, frames processed and vehicle passes per second, measured over the last
/// <see cref="Window"/>: the status endpoint samples the counters once a second into a small ring, so a status
/// request reads the rate of the last few seconds rather than the average since start.
/// </summary>
internal sealed class StageRates(TimeProvider time)
{
    /// <summary>The span the rates are measured over, once that much has been sampled.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Queue<Counts> _samples = new();

    /// <summary>Records the counters as of now, forgetting samples older than the window.</summary>
    public void Sample(long captured, long processed, long passes)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            _samples.Enqueue(new Counts(now, captured, processed, passes));
            while (_samples.Count > 2 && time.GetElapsedTime(_samples.Peek().Timestamp, now) > Window)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <summary>Captured, processed and passes per second between the oldest and newest sample; null before two samples.</summary>
    public (double Captured, double Processed, double Passes)? Current()
    {
        lock (_gate)
        {
            if (_samples.Count < 2)
            {
                return null;
            }

            var first = _samples.Peek();
            var last = _samples.Last();
            var seconds = time.GetElapsedTime(first.Timestamp, last.Timestamp).TotalSeconds;
            return seconds <= 0
                ? null
                : (Round((last.Captured - first.Captured) / seconds), Round((last.Processed - first.Processed) / seconds), Round((last.Passes - first.Passes) / seconds));
        }
    }

    private static double Round(double rate) => Math.Round(Math.Max(0, rate), 2);

    private readonly record struct Counts(long Timestamp, long Captured, long Processed, long Passes);
}
