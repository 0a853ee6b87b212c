namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// One decoded camera frame: 8-bit gray pixels, row-major, stride == width.
/// Frames belong to a <see cref="FramePool"/>; whoever holds a frame last disposes it, which hands it
/// back for a later frame, so steady-state capture allocates nothing per frame.
/// </summary>
public sealed class Frame : IDisposable
{
    private readonly FramePool _pool;
    private readonly byte[] _buffer;
    private int _rented;

    internal Frame(FramePool pool, byte[] buffer)
    {
        _pool = pool;
        _buffer = buffer;
    }

    public int Width => _pool.Width;

    public int Height => _pool.Height;

    /// <summary>
    /// Number of this frame in the capture run, from 0, counting every frame ffmpeg delivered (dropped ones
    /// too) and going on across restarts of a live source: it never repeats, and a gap means drops.
    /// </summary>
    public long Sequence { get; internal set; }

    /// <summary>
    /// Monotonic time of the frame, in <see cref="TimeProvider.GetTimestamp"/> units of the pipeline's clock: its arrival for
    /// a camera or a paced recording; for a recording read at full speed, the first frame's arrival plus the frame's
    /// place in the file (<see cref="SourceTime"/>), so tracking does not depend on how fast the machine decodes.
    /// </summary>
    public long Timestamp { get; internal set; }

    /// <summary>Position in the source's own timeline (index in the connection over frame rate): for a file, its place in the file.</summary>
    public TimeSpan SourceTime { get; internal set; }

    public ReadOnlySpan<byte> Pixels => Checked().AsSpan(0, _pool.FrameBytes);

    internal Memory<byte> Writable => Checked().AsMemory(0, _pool.FrameBytes);

    internal void MarkRented() => Volatile.Write(ref _rented, 1);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 1)
        {
            _pool.Return(this);
        }
    }

    private byte[] Checked() =>
        Volatile.Read(ref _rented) == 1 ? _buffer : throw new ObjectDisposedException(nameof(Frame), "The frame was already handed back to its pool.");
}
