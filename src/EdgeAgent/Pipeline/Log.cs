using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Pipeline;

/// <summary>Log messages of the processing stages (event ids 4400-4499).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4400, Level = LogLevel.Warning, Message = "Frame {Sequence} skipped ({Failed} so far): {Problem}")]
    public static partial void FrameFailed(ILogger logger, long sequence, long failed, string problem);

    // Reads that match nothing stay on the box only at Debug: the journal is not a store of every passing car.
    [LoggerMessage(EventId = 4401, Level = LogLevel.Debug, Message = "Pass {Track}: {Plate} ({Region} {Confidence:0.00}), {Frames} frames, {Reads} reads")]
    public static partial void Pass(ILogger logger, long track, string plate, PlateRegion region, float confidence, int frames, int reads);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Information, Message = "Hit {Plate}: entry {EntryId}, priority {Priority}, {How}; event {EventId} stored")]
    public static partial void Hit(ILogger logger, string plate, string entryId, int priority, string how, string eventId);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Error, Message = "Stopping while the pass of {Plate} (track {Track}) could not be stored; it is lost")]
    public static partial void GaveUp(ILogger logger, string plate, long track);

    [LoggerMessage(EventId = 4404, Level = LogLevel.Information, Message = "Input ended after {Frames} frames: {Passes} vehicle passes, {Hits} hits")]
    public static partial void InputEnded(ILogger logger, long frames, long passes, long hits);

    [LoggerMessage(EventId = 4406, Level = LogLevel.Critical, Message = "A pipeline stage failed; stopping")]
    public static partial void StageFailed(ILogger logger, Exception exception);
}
