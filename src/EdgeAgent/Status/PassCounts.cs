using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Events;

namespace EdgeAnpr.Agent.Status;

/// <summary>
/// Reads and hits of the last hour, in one-minute buckets: 60 buckets of two counters, so the window slides by the
/// minute and memory stays fixed however busy the road. Fed by the pass stage as an <see cref="IPipelineObserver"/>.
/// </summary>
public sealed class PassCounts : IPipelineObserver
{
    /// <summary>The window <see cref="LastHour"/> covers.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private static readonly TimeSpan Bucket = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long[] _minute = new long[60];
    private readonly long[] _reads = new long[60];
    private readonly long[] _hits = new long[60];

    public PassCounts(TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        Array.Fill(_minute, -1);
    }

    public void OnPass(VehiclePass pass) => Add(_reads);

    public void OnHit(HitEvent hit) => Add(_hits);

    /// <summary>Reads and hits counted in the last hour (the current minute and the 59 before it).</summary>
    public LastHourPart LastHour()
    {
        var now = CurrentMinute();
        long reads = 0, hits = 0;
        lock (_gate)
        {
            for (var i = 0; i < _minute.Length; i++)
            {
                if (_minute[i] > now - _minute.Length)
                {
                    reads += _reads[i];
                    hits += _hits[i];
                }
            }
        }

        return new LastHourPart(reads, hits);
    }

    private void Add(long[] counter)
    {
        // Monotonic minutes: a wall clock set back by NTP must not empty or double the window.
        var minute = CurrentMinute();
        var slot = (int)(minute % _minute.Length);
        lock (_gate)
        {
            if (_minute[slot] != minute)
            {
                (_minute[slot], _reads[slot], _hits[slot]) = (minute, 0, 0);
            }

            counter[slot]++;
        }
    }

    private long CurrentMinute() => _time.GetTimestamp() / (long)(_time.TimestampFrequency * Bucket.TotalSeconds);
}
