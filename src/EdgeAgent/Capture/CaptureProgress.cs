namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// What <see cref="CaptureService"/> reports about itself, written by its loop and read by anyone. The
/// per-frame part is two interlocked writes; state changes, which are rare, take a lock.
/// </summary>
internal sealed class CaptureProgress
{
    private readonly Lock _gate = new();
    private CaptureState _state = CaptureState.Starting;
    private string? _problem;
    private FrameFormat? _format;
    private int _restarts;
    private long _frames;
    private long _lastFrameTimestamp;

    public long Frames => Interlocked.Read(ref _frames);

    public void FrameCaptured(long timestamp)
    {
        Interlocked.Exchange(ref _lastFrameTimestamp, timestamp);
        Interlocked.Increment(ref _frames);
    }

    public void Opened(FrameFormat format)
    {
        lock (_gate)
        {
            _format = format;
        }
    }

    /// <summary>Frames flow (again). Returns the restarts so far when this ends an outage, else null.</summary>
    public int? Running()
    {
        lock (_gate)
        {
            if (_state == CaptureState.Running)
            {
                return null;
            }

            _state = CaptureState.Running;
            _problem = null;
            return _restarts > 0 ? _restarts : null;
        }
    }

    /// <summary>A live source failed and will be restarted.</summary>
    public void Retrying(string problem)
    {
        lock (_gate)
        {
            _state = CaptureState.Retrying;
            _problem = problem;
            _restarts++;
        }
    }

    public void Finished(CaptureState state, string? problem)
    {
        lock (_gate)
        {
            _state = state;
            _problem = problem;
        }
    }

    public CaptureStatus Snapshot(long dropped)
    {
        lock (_gate)
        {
            var frames = Frames;
            return new CaptureStatus(_state, _problem, _format, frames, dropped, _restarts, frames > 0 ? Interlocked.Read(ref _lastFrameTimestamp) : null);
        }
    }
}
