using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Capture;

/// <summary>Capture's log messages (event ids 100-199). Reasons are already one line naming the source.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Capturing from {Source} ({Kind}, paced: {Paced})")]
    public static partial void CaptureStarting(ILogger logger, string source, CameraSourceKind kind, bool paced);

    [LoggerMessage(101, LogLevel.Information, "Camera source {Source} opened: {Width}x{Height} gray at {FramesPerSecond} fps")]
    public static partial void SourceOpened(ILogger logger, string source, int width, int height, double framesPerSecond);

    [LoggerMessage(102, LogLevel.Warning, "Capture attempt {Attempt} failed, retrying in {Delay}: {Reason}")]
    public static partial void AttemptFailed(ILogger logger, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(103, LogLevel.Warning, "Camera lost after {Frames} frames, reconnecting in {Delay}: {Reason}")]
    public static partial void SourceLost(ILogger logger, long frames, TimeSpan delay, string reason);

    [LoggerMessage(104, LogLevel.Information, "Camera source {Source} delivering frames again after {Restarts} restarts")]
    public static partial void SourceResumed(ILogger logger, string source, int restarts);

    [LoggerMessage(105, LogLevel.Information, "Camera source {Source} ended after {Frames} frames ({Dropped} dropped by the queue)")]
    public static partial void SourceEnded(ILogger logger, string source, long frames, long dropped);

    [LoggerMessage(106, LogLevel.Information, "Capture from {Source} stopped after {Frames} frames")]
    public static partial void CaptureStopped(ILogger logger, string source, long frames);

    [LoggerMessage(107, LogLevel.Error, "Capture failed for good: {Reason}")]
    public static partial void CaptureFailed(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(108, LogLevel.Information, "Decoding {Source} with {Decoder}: {Reason}")]
    public static partial void DecoderChosen(ILogger logger, string source, string decoder, string reason);

    [LoggerMessage(109, LogLevel.Warning, "Hardware decoder {Decoder} failed on {Source}; decoding in software from now on: {Reason}")]
    public static partial void DecoderFellBack(ILogger logger, string decoder, string source, string reason);
}
