using System.Threading.Channels;

namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// The bounded queue between capture and the first processing stage. When the consumer falls behind,
/// the oldest waiting frame is dropped (a live camera's newest frame is the one worth reading), handed
/// back to its pool, and counted in <see cref="Dropped"/>.
/// </summary>
public sealed class FrameQueue
{
    /// <summary>Default capacity: a few frames absorb jitter without holding stale video.</summary>
    public const int DefaultCapacity = 4;

    private readonly Channel<Frame> _channel;
    private long _dropped;
    private long _written;

    public FrameQueue(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _channel = Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
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

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Written => Interlocked.Read(ref _written);

    public int Count => _channel.Reader.Count;

    public ChannelReader<Frame> Reader => _channel.Reader;

    /// <summary>Queues a frame; never waits. Ownership passes to the queue.</summary>
    public void Write(Frame frame)
    {
        Interlocked.Increment(ref _written);
        if (!_channel.Writer.TryWrite(frame))
        {
            // Only after Complete: nobody will read it, so hand it back.
            frame.Dispose();
        }
    }

    /// <summary>Ends the stream (the source ended or failed for good).</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);
}
