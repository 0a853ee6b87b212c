namespace EdgeAnpr.Agent.Pipeline;

/// <summary>
/// A stage's "busy since" mark: when its loop took up the item it is on (a camera read, a frame, a pass), or nothing
/// while it waits for work. Written by the stage's own loop, one clock read and one volatile write per item and per
/// return to waiting; read by the systemd watchdog, which stops its pings while a stage has been busy on one item for
/// longer than <see cref="Systemd.WatchdogOptions.StageTimeout"/> plus the stage's <see cref="Allowance"/>.
/// </summary>
/// <remarks>
/// Waiting for work is never busy: a camera that sends nothing leaves the frame and pass stages idle, and capture
/// waiting out its restart backoff is idle too. Only an item that does not finish counts.
/// </remarks>
public sealed class StageLiveness
{
    private readonly TimeProvider _time;
    private long _busySince;

    /// <param name="stage">The stage's name in status lines and the log.</param>
    /// <param name="time">The clock the mark is stamped with.</param>
    /// <param name="allowance">How long one item may take by design before the limit starts counting.</param>
    public StageLiveness(string stage, TimeProvider time, TimeSpan allowance = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stage);
        ArgumentOutOfRangeException.ThrowIfLessThan(allowance, TimeSpan.Zero);
        Stage = stage;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        Allowance = allowance;
    }

    public string Stage { get; }

    /// <summary>
    /// The time one item may legitimately take before the watchdog's limit applies: for capture, connecting and waiting
    /// for the first frame, which capture's own stall watchdog already bounds; zero for the others.
    /// </summary>
    public TimeSpan Allowance { get; }

    /// <summary>How long the stage has been on its current item; zero while it waits for work.</summary>
    public TimeSpan BusyFor => Volatile.Read(ref _busySince) is var since and not 0 ? _time.GetElapsedTime(since) : TimeSpan.Zero;

    /// <summary>The stage took up an item.</summary>
    public void Busy() => Volatile.Write(ref _busySince, Math.Max(1, _time.GetTimestamp()));

    /// <summary>The stage finished its item and waits for the next (or has ended).</summary>
    public void Idle() => Volatile.Write(ref _busySince, 0);

    /// <summary>Whether the stage has been on one item for longer than <paramref name="limit"/> plus its allowance.</summary>
    public bool IsStuck(TimeSpan limit) => BusyFor > limit + Allowance;
}

/// <summary>The liveness marks of one camera's stages, in pipeline order.</summary>
public sealed class PipelineLiveness(TimeProvider time, TimeSpan captureAllowance)
{
    /// <summary>Capture, busy while opening the camera or waiting for one frame from it.</summary>
    public StageLiveness Capture { get; } = new("capture", time, captureAllowance);

    /// <summary>Detection, reading and tracking, busy on one frame.</summary>
    public StageLiveness Frames { get; } = new("frame processing", time);

    /// <summary>Matching and storing, busy on one vehicle pass (its hit committed to the outbox).</summary>
    public StageLiveness Passes { get; } = new("pass matching", time);

    /// <summary>The first stage busy on one item for longer than <paramref name="limit"/> (plus its allowance), or null.</summary>
    public StageLiveness? Stuck(TimeSpan limit) =>
        Capture.IsStuck(limit) ? Capture : Frames.IsStuck(limit) ? Frames : Passes.IsStuck(limit) ? Passes : null;
}
