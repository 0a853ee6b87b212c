using EdgeAnpr.Agent.Capture;

namespace EdgeAnpr.Agent.Pipeline;

/// <summary>
/// The first processing stage: takes frames off the capture queue in order and hands each back to its
/// pool when done. Detection and reading hang off <see cref="ProcessAsync"/> as they are added.
/// </summary>
public sealed class FrameProcessor(FrameQueue queue, PipelineStats stats)
{
    /// <summary>Consumes frames until the queue completes (the source ended) or the token is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var frame in queue.Reader.ReadAllAsync(cancellationToken))
        {
            using (frame)
            {
                await ProcessAsync(frame, cancellationToken);
            }
        }
    }

    internal ValueTask ProcessAsync(Frame frame, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        stats.FrameProcessed(frame.Sequence);
        return ValueTask.CompletedTask;
    }
}
