namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// Cancels a live connection that delivers no frame for the stall timeout: a camera can keep its TCP
/// connection open and send nothing, and ffmpeg's own socket timeout does not cover every such case
/// (V4L2 has none). The first frame gets longer: ffmpeg probes the stream and waits for a key frame
/// before it decodes anything (about 2 s for a 15 fps RTSP stream here, more for cameras with long
/// GOPs). Checks a few times per timeout on the injected clock, so tests can drive it; the capture
/// loop only stores a timestamp per frame.
/// </summary>
internal sealed class StallWatchdog : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _firstFrameTimeout;
    private readonly CancellationTokenSource _connection;
    private readonly ITimer _timer;
    private long _lastFrame;
    private int _sawFrame;
    private int _fired;

    /// <param name="time">The clock.</param>
    /// <param name="timeout">Longest gap between frames.</param>
    /// <param name="firstFrameTimeout">Longest wait for the first frame, from now.</param>
    /// <param name="connection">Cancelled on a stall; owned by the caller, which disposes this first.</param>
    public StallWatchdog(TimeProvider time, TimeSpan timeout, TimeSpan firstFrameTimeout, CancellationTokenSource connection)
    {
        _time = time;
        _timeout = timeout;
        _firstFrameTimeout = firstFrameTimeout;
        _connection = connection;
        _lastFrame = time.GetTimestamp();
        var period = timeout / 4;
        _timer = time.CreateTimer(static state => ((StallWatchdog)state!).Check(), this, period, period);
    }

    public bool Fired => Volatile.Read(ref _fired) == 1;

    public void FrameArrived(long timestamp)
    {
        Volatile.Write(ref _lastFrame, timestamp);
        Volatile.Write(ref _sawFrame, 1);
    }

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        var limit = Volatile.Read(ref _sawFrame) == 1 ? _timeout : _firstFrameTimeout;
        if (_time.GetElapsedTime(Volatile.Read(ref _lastFrame)) < limit || Interlocked.Exchange(ref _fired, 1) == 1)
        {
            return;
        }

        try
        {
            _connection.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection ended while this check was running; a timer callback cannot be recalled.
        }
    }
}
