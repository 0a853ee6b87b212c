using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Detection;

/// <summary>Log messages of plate detection and the motion gate (event ids 4100-4199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Plate detector {Model}: input {Width}x{Height}, stride {Stride}, score threshold {ScoreThreshold}, NMS IoU {NmsIou}, at most {MaxDetections} plates")]
    public static partial void DetectorLoaded(ILogger logger, string model, int width, int height, int stride, float scoreThreshold, double nmsIou, int maxDetections);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information,
        Message = "Motion gate on {Width}x{Height} frames: {SmallWidth}x{SmallHeight} background, threshold {Threshold}, learning rate {LearningRate}, warm-up {Warmup}")]
    public static partial void GateStarted(ILogger logger, int width, int height, int smallWidth, int smallHeight, int threshold, double learningRate, TimeSpan warmup);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug,
        Message = "Frame {Sequence}: {Percent:0}% of the watched picture changed at once; taken for a change of light, background re-learnt")]
    public static partial void LightingChange(ILogger logger, long sequence, double percent);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information,
        Message = "Motion gate off (Detection:MotionGate:Enabled false): the detector runs on every frame")]
    public static partial void GateDisabled(ILogger logger);
}
