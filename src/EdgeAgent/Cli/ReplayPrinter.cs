using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Events;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// Prints what <c>replay</c> sees: one line per vehicle pass read (<c>"type":"read"</c>), one per hit once it is in the
/// outbox (<c>"type":"hit"</c>), progress for people. Lines from the pipeline's thread and the command's never interleave.
/// </summary>
internal sealed class ReplayPrinter(TextWriter output, bool json) : IPipelineObserver
{
    private readonly Lock _writing = new();

    public void OnPass(VehiclePass pass) => Line(json ? ReadJson(pass) : ReadText(pass));

    public void OnHit(HitEvent hit) => Line(json ? HitLine.Json(hit) : "HIT " + HitLine.Text(hit));

    public void Progress(string line)
    {
        if (!json)
        {
            Line(line);
        }
    }

    public void Line(string line)
    {
        lock (_writing)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>The JSON line of a read; times are the frames' positions in the input, in seconds.</summary>
    internal static string ReadJson(VehiclePass pass, string? file = null)
    {
        var box = pass.Best.Box;
        return JsonSerializer.Serialize(
            new ReplayRead(
                "read",
                file,
                pass.TrackId,
                pass.Text.Value,
                pass.Text.Display,
                pass.Text.Region.Code(),
                pass.Text.Format?.Name,
                Math.Round(pass.Confidence, 4),
                [.. pass.CharConfidences.Select(c => Math.Round(c, 4))],
                new ReplayBox(box.X, box.Y, box.Width, box.Height),
                pass.Best.FrameSequence,
                pass.Reads,
                pass.Frames,
                [.. pass.FrameTimes.Select(Seconds)],
                Seconds(pass.First.SourceTime),
                Seconds(pass.Last.SourceTime)),
            CliJson.Default.ReplayRead);
    }

    /// <summary><c>00:03.240  ir  ۸۱ و ۶۳۸ ایران ۱۳  (81و63813)  0.97  12 frames</c></summary>
    internal static string ReadText(VehiclePass pass) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{pass.Best.SourceTime:mm\\:ss\\.fff}  {pass.Text.Region.Code()}  {pass.Text.Display}{(pass.Text.Display == pass.Text.Value ? "" : $"  ({pass.Text.Value})")}  {pass.Confidence:0.00}  {pass.Frames.Count} frames");

    private static double Seconds(TimeSpan time) => Math.Round(time.TotalSeconds, 3);
}

/// <summary>A <c>read</c> line of <c>replay --json</c>: one vehicle pass.</summary>
/// <param name="Type">Always <c>read</c>.</param>
/// <param name="File">The image's file name when a folder is replayed; left out otherwise.</param>
/// <param name="Track">The pass's track number in this replay.</param>
/// <param name="Plate">Canonical text (<c>81و63813</c>, <c>H002EX71</c>).</param>
/// <param name="Display">The text as people write it (<c>۸۱ و ۶۳۸ ایران ۱۳</c>).</param>
/// <param name="Region">Region code.</param>
/// <param name="Format">The region format matched.</param>
/// <param name="Confidence">The voted read's confidence (its least sure character), 0..1.</param>
/// <param name="CharConfidences">Per character.</param>
/// <param name="Box">The plate's box in the best frame, in pixels.</param>
/// <param name="BestFrame">The sequence number of the frame with the most confident read.</param>
/// <param name="Reads">Frames that gave a read.</param>
/// <param name="Frames">Sequence numbers of the frames the plate was seen in.</param>
/// <param name="FrameTimes">Each frame's position in the input, seconds.</param>
/// <param name="FirstSeen">The first frame's position, seconds.</param>
/// <param name="LastSeen">The last frame's position, seconds.</param>
internal sealed record ReplayRead(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? File,
    long Track,
    string Plate,
    string Display,
    string Region,
    string? Format,
    double Confidence,
    IReadOnlyList<double> CharConfidences,
    ReplayBox Box,
    long BestFrame,
    int Reads,
    IReadOnlyList<long> Frames,
    IReadOnlyList<double> FrameTimes,
    double FirstSeen,
    double LastSeen);

internal sealed record ReplayBox(int X, int Y, int Width, int Height);
