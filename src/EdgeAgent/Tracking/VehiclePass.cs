using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Tracking;

/// <summary>The plate crop kept for a pass: 8-bit gray, stride == width.</summary>
public sealed record PlateCrop(byte[] Pixels, int Width, int Height);

/// <summary>
/// One vehicle pass: the reads of one plate across the frames it was seen in, voted into one result.
/// This is what is matched against the watchlist, once per vehicle.
/// </summary>
/// <param name="TrackId">The track's number within this run.</param>
/// <param name="Text">The voted plate text.</param>
/// <param name="CharConfidences">Per character: the share of the weighted votes the winning character got at that position times its mean confidence.</param>
/// <param name="Confidence">The weakest character's confidence.</param>
/// <param name="Reads">How many frames gave a read of this plate.</param>
/// <param name="Frames">Sequence numbers of every frame the plate was detected in, read or not.</param>
/// <param name="FrameTimes">The source time of each of <paramref name="Frames"/>.</param>
/// <param name="First">The first observation.</param>
/// <param name="Last">The last observation.</param>
/// <param name="Best">The observation with the most confident read (its box, frame and times).</param>
/// <param name="BestCrop">The pixels of <paramref name="Best"/>'s plate, with a small margin.</param>
public sealed record VehiclePass(
    long TrackId,
    PlateText Text,
    IReadOnlyList<float> CharConfidences,
    float Confidence,
    int Reads,
    IReadOnlyList<long> Frames,
    IReadOnlyList<TimeSpan> FrameTimes,
    PlateObservation First,
    PlateObservation Last,
    PlateObservation Best,
    PlateCrop? BestCrop);
