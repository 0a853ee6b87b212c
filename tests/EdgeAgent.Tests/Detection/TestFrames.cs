using EdgeAnpr.Agent.Capture;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>Capture <see cref="Frame"/>s made from pixels a test drew.</summary>
internal static class TestFrames
{
    /// <summary>A rented frame holding a copy of <paramref name="gray"/>; the caller disposes it.</summary>
    public static Frame Create(ReadOnlySpan<byte> gray, int width, int height, long timestamp = 0, long sequence = 0)
    {
        var frame = new FramePool(width, height).Rent();
        gray.CopyTo(frame.Writable.Span);
        frame.Timestamp = timestamp;
        frame.Sequence = sequence;
        return frame;
    }
}
