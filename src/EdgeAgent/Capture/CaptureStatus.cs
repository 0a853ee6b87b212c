namespace EdgeAnpr.Agent.Capture;

public enum CaptureState
{
    Starting,
    Running,
    Retrying,
    Ended,
    Failed,
}

/// <summary>A snapshot of capture for status lines, the heartbeat and <c>doctor</c>.</summary>
public sealed record CaptureStatus(
    CaptureState State,
    string? Problem,
    FrameFormat? Format,
    long Frames,
    long Dropped,
    int Restarts,
    long? LastFrameTimestamp)
{
    /// <summary>The decoder ffmpeg runs: <c>software</c> or, e.g., <c>h264_v4l2m2m (hardware)</c> (<see cref="DecoderChoice.Description"/>).</summary>
    public string Decoder { get; init; } = HardwareDecoders.Software;
}
