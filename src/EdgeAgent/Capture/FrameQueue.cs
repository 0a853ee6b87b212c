using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace EdgeAnpr.Agent.Capture;

/// <summary>What a full <see cref="FrameQueue"/> does with the next frame.</summary>
public enum FrameQueueFullMode
{
    /// <summary>Drop the oldest waiting frame (a live camera's newest frame is the one worth reading), counted.</summary>
    DropOldest,

    /// <summary>Make capture wait: a recording read as fast as possible loses nothing.</summary>
    Wait,
}

/// <summary>
/// The bounded queue between capture and the first processing stage. For a live source, when the
/// consumer falls behind, the oldest waiting frame is dropped, handed back to its pool, and counted in
/// <see cref="Dropped"/>; for a recording read at full speed, capture waits instead (<see cref="FrameQueueFullMode"/>).
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue, and the pipeline's name for it; CA1711 wants the suffix kept for System.Collections.Queue subclasses.")]
public sealed class FrameQueue
{
    /// <summary>Default capacity: a few frames absorb jitter without holding stale video.</summary>
    public const int DefaultCapacity = 4;

    private readonly Channel<Frame> _channel;
    private long _dropped;
    private long _written;

    public FrameQueue(int capacity = DefaultCapacity, FrameQueueFullMode fullMode = FrameQueueFullMode.DropOldest)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        FullMode = fullMode;
        _channel = Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = fullMode == FrameQueueFullMode.Wait ? BoundedChannelFullMode.Wait : BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = true,
            },
            frame =>
            {
                Interlocked.Increment(ref _dropped);
                frame.Dispose();
            });
    }

    public int Capacity { get; }

    public FrameQueueFullMode FullMode { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Written => Interlocked.Read(ref _written);

    public int Count => _channel.Reader.Count;

    public ChannelReader<Frame> Reader => _channel.Reader;

    /// <summary>Queues a frame; never waits in <see cref="FrameQueueFullMode.DropOldest"/> mode. Ownership passes to the queue.</summary>
    public void Write(Frame frame)
    {
        Interlocked.Increment(ref _written);
        if (!_channel.Writer.TryWrite(frame))
        {
            // Completed (nobody will read it) or, in Wait mode, full: the caller asked not to wait, so hand it back.
            frame.Dispose();
        }
    }

    /// <summary>Queues a frame, waiting for room in <see cref="FrameQueueFullMode.Wait"/> mode. Ownership passes to the queue.</summary>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _written);
        return _channel.Writer.TryWrite(frame) ? ValueTask.CompletedTask : WaitAndWriteAsync(frame, cancellationToken);
    }

    private async ValueTask WaitAndWriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        try
        {
            while (await _channel.Writer.WaitToWriteAsync(cancellationToken))
            {
                if (_channel.Writer.TryWrite(frame))
                {
                    return;
                }
            }
        }
        catch
        {
            frame.Dispose();
            throw;
        }

        // Completed while waiting: nobody will read it.
        frame.Dispose();
    }

    /// <summary>Ends the stream (the source ended or failed for good).</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);
}
