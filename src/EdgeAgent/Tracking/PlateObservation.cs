using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Tracking;

/// <summary>One plate seen in one frame: where, and what the reader made of it (Text null when unread).</summary>
/// <param name="FrameSequence">The frame's sequence number.</param>
/// <param name="Timestamp">The frame's monotonic timestamp (pipeline clock ticks).</param>
/// <param name="SourceTime">The frame's position in its source.</param>
/// <param name="Box">The plate's box in frame pixels.</param>
/// <param name="DetectionScore">The detector's score.</param>
/// <param name="Text">The read, or null when the reader could not read it.</param>
/// <param name="CharConfidences">Per-character confidence of <paramref name="Text"/>, 0..1.</param>
/// <param name="Confidence">Overall confidence of <paramref name="Text"/>, 0..1.</param>
public sealed record PlateObservation(
    long FrameSequence,
    long Timestamp,
    TimeSpan SourceTime,
    PixelRect Box,
    float DetectionScore,
    PlateText? Text,
    IReadOnlyList<float> CharConfidences,
    float Confidence);
