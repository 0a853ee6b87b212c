namespace EdgeAnpr.Agent.Pipeline;

/// <summary>Counters the processing stages update and status lines, the heartbeat and replay's summary read; lock-free.</summary>
public sealed class PipelineStats
{
    private long _framesProcessed;
    private long _framesFailed;
    private long _detectorRuns;
    private long _passes;
    private long _hits;

    public long FramesProcessed => Interlocked.Read(ref _framesProcessed);

    /// <summary>Frames skipped because inference failed on them (the first and every 250th are logged).</summary>
    public long FramesFailed => Interlocked.Read(ref _framesFailed);

    /// <summary>Frames the detector ran on (the motion gate or the loop detector said to look).</summary>
    public long DetectorRuns => Interlocked.Read(ref _detectorRuns);

    /// <summary>Vehicle passes reported (one voted read per plate per pass).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Passes that hit the watchlist and were committed to the outbox.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    internal void FrameProcessed() => Interlocked.Increment(ref _framesProcessed);

    internal void FrameFailed() => Interlocked.Increment(ref _framesFailed);

    internal void DetectorRan() => Interlocked.Increment(ref _detectorRuns);

    internal void PassEnded() => Interlocked.Increment(ref _passes);

    internal void HitCommitted() => Interlocked.Increment(ref _hits);
}
