using System.Collections.Concurrent;

namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// Frames of one size, reused. The capture loop rents one per frame and the last stage disposes it.
/// <see cref="Allocated"/> counts the frames ever created, so a benchmark can show it stops growing.
/// </summary>
public sealed class FramePool
{
    private readonly ConcurrentQueue<Frame> _free = new();
    private int _allocated;

    public FramePool(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        FrameBytes = checked(width * height);
    }

    public int Width { get; }

    public int Height { get; }

    public int FrameBytes { get; }

    public int Allocated => Volatile.Read(ref _allocated);

    public Frame Rent()
    {
        if (!_free.TryDequeue(out var frame))
        {
            Interlocked.Increment(ref _allocated);
            frame = new Frame(this, GC.AllocateUninitializedArray<byte>(FrameBytes, pinned: true));
        }

        frame.MarkRented();
        return frame;
    }

    internal void Return(Frame frame) => _free.Enqueue(frame);
}
