namespace EdgeAnpr.Agent.Pipeline;

/// <summary>Counters the processing stages update and status lines read; lock-free.</summary>
public sealed class PipelineStats
{
    private long _framesProcessed;
    private long _lastFrameSequence = -1;

    public long FramesProcessed => Interlocked.Read(ref _framesProcessed);

    public long LastFrameSequence => Interlocked.Read(ref _lastFrameSequence);

    internal void FrameProcessed(long sequence)
    {
        Interlocked.Increment(ref _framesProcessed);
        Interlocked.Exchange(ref _lastFrameSequence, sequence);
    }
}
