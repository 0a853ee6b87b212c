using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAnpr.Agent.Status;

/// <summary>
/// The status socket's protocol. A client connects and writes one request line; the agent answers and closes:
/// <list type="bullet">
/// <item><c>status\n</c>: one <see cref="StatusDocument"/> as JSON (UTF-8), then close.</item>
/// <item><c>snapshot\n</c>: one <see cref="SnapshotHeader"/> as a JSON line, then <c>width * height</c> bytes of the
/// next processed frame's 8-bit gray pixels (row-major), then close.</item>
/// <item><c>aim\n</c>: one <see cref="AimSample"/> JSON line a second until the client closes (or
/// <see cref="MaxAimDuration"/>).</item>
/// </list>
/// Anything else, or a problem on the agent's side, is answered with one <see cref="ErrorReply"/> JSON line.
/// </summary>
public static class StatusProtocol
{
    public const string Status = "status";
    public const string Snapshot = "snapshot";
    public const string Aim = "aim";

    /// <summary>The longest request line read; anything longer is not one of ours.</summary>
    public const int MaxRequestBytes = 64;

    /// <summary>Clients served at once; one more is answered "busy" and closed, so a stuck client cannot pile up tasks.</summary>
    public const int MaxClients = 4;

    /// <summary>An <c>aim</c> stream ends after this, whoever forgot it.</summary>
    public static readonly TimeSpan MaxAimDuration = TimeSpan.FromMinutes(15);

    /// <summary>How often <c>aim</c> reports.</summary>
    public static readonly TimeSpan AimInterval = TimeSpan.FromSeconds(1);
}

/// <summary>The agent could not answer the request; <see cref="Error"/> says why, in one line.</summary>
public sealed record ErrorReply(string Error);

/// <summary>What precedes a snapshot's pixels.</summary>
/// <param name="RegionOfInterest">The polygon of <c>Detection:RegionOfInterest</c> (normalised 0..1); empty: the whole frame.</param>
/// <param name="Detections">The plates found in this frame, in frame pixels.</param>
/// <param name="LastDetections">The plates of the last frame that had any (this one's when it has some).</param>
/// <param name="LastDetectionsSequence">That frame's sequence number; null when no plate was found since start.</param>
public sealed record SnapshotHeader(
    int Width,
    int Height,
    long Sequence,
    IReadOnlyList<SnapshotPoint> RegionOfInterest,
    IReadOnlyList<SnapshotBox> Detections,
    IReadOnlyList<SnapshotBox> LastDetections,
    long? LastDetectionsSequence);

public sealed record SnapshotPoint(double X, double Y);

public sealed record SnapshotBox(double Left, double Top, double Right, double Bottom);

/// <summary>One second of <c>aim</c>.</summary>
/// <param name="PlateHeights">The heights in frame pixels of the plates found in the second.</param>
/// <param name="Focus">Variance of the Laplacian over the plates of the sampled frame (or the last plates seen, or the region of interest when none yet).</param>
/// <param name="FocusOn">What <see cref="Focus"/> was measured on: <c>plates</c> or <c>region</c>.</param>
/// <param name="Brightness">Mean gray (0-255) of the region of interest in the sampled frame.</param>
/// <param name="FramesPerSecond">Frames processed per second over the last few seconds.</param>
public sealed record AimSample(
    int? Width,
    int? Height,
    IReadOnlyList<double> PlateHeights,
    double? Focus,
    string? FocusOn,
    double? Brightness,
    double? FramesPerSecond,
    string? Problem);

/// <summary>Source-generated JSON of the status protocol: camelCase, no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusDocument))]
[JsonSerializable(typeof(SnapshotHeader))]
[JsonSerializable(typeof(AimSample))]
[JsonSerializable(typeof(ErrorReply))]
public sealed partial class StatusJson : JsonSerializerContext
{
    /// <summary>
    /// What the socket and <c>--json</c> write: as <see cref="JsonSerializerContext"/>'s default but with apostrophes,
    /// quotes and non-ASCII (°C) left as they are. The documents go to programs and terminals, never into HTML, where the
    /// default escaping would matter.
    /// </summary>
    public static StatusJson Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
