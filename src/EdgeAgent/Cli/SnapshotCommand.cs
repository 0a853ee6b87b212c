using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Status;
using SkiaSharp;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr snapshot [--out file.jpg]</c>: the running agent's next processed frame as a JPEG, with the region of
/// interest and the plates found drawn on it, for aiming the camera. Exit codes: <see cref="CliExitCodes"/>.
/// </summary>
internal static class SnapshotCommand
{
    /// <summary>How long to wait for the agent's frame: its own wait (Status:RequestTimeout) plus the transfer.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    public static Command Create(CliConsole console)
    {
        var config = CommonOptions.Config();
        var json = new Option<bool>("--json") { Description = "Print what was written as JSON instead of text for people" };
        var output = new Option<FileInfo?>("--out", "-o")
        {
            Description = "The JPEG to write (default snapshot-<UTC time>.jpg in the current folder)",
            HelpName = "FILE",
        };
        var command = new Command("snapshot", "Save the camera's current frame with the region of interest and the last plates found drawn on it") { config, output, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (StatusCommandContext.Load(console, parse.GetValue(config)) is not { } context)
            {
                return CliExitCodes.Configuration;
            }

            SnapshotHeader header;
            byte[] pixels;
            try
            {
                (header, pixels) = await StatusClient.GetSnapshotAsync(context.Status.SocketPath, AnswerTimeout, cancellationToken);
            }
            catch (AgentUnreachableException ex)
            {
                return console.Fail(CliExitCodes.AgentUnreachable, $"{ex.Message}; {ex.Fix}");
            }
            catch (StatusRequestException ex)
            {
                return console.Fail(CliExitCodes.Problems, ex.Message);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return console.Fail(CliExitCodes.Problems, $"no snapshot from the agent within {AnswerTimeout.TotalSeconds:0} s");
            }

            var path = parse.GetValue(output)?.FullName
                ?? Path.GetFullPath($"snapshot-{TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.jpg");
            var jpeg = Render(header, pixels);
            try
            {
                await File.WriteAllBytesAsync(path, jpeg, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return console.Fail(CliExitCodes.Problems, $"cannot write {path}: {ex.Message}");
            }

            var plates = header.Detections.Count > 0 ? header.Detections.Count : header.LastDetections.Count;
            var platesFrame = header.Detections.Count > 0 ? header.Sequence : header.LastDetectionsSequence;
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new SnapshotWritten(path, jpeg.Length, header.Width, header.Height, header.Sequence, plates, platesFrame), CliJson.Default.SnapshotWritten));
            }
            else
            {
                var which = header.Detections.Count > 0 ? "in this frame" : header.LastDetectionsSequence is { } at ? $"last seen in frame {at}" : "none found yet";
                console.Out.WriteLine($"{path} ({jpeg.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, {header.Width}x{header.Height}, frame {header.Sequence}, plates: {plates} {which})");
            }

            return CliExitCodes.Ok;
        });
        return command;
    }

    internal static byte[] Render(SnapshotHeader header, byte[] pixels)
    {
        static SKRect Rect(SnapshotBox b) => new((float)b.Left, (float)b.Top, (float)b.Right, (float)b.Bottom);
        var region = header.RegionOfInterest.Select(p => new SKPoint((float)(p.X * header.Width), (float)(p.Y * header.Height))).ToArray();
        var plates = header.Detections.Select(Rect).ToArray();
        var earlier = plates.Length > 0 ? [] : header.LastDetections.Select(Rect).ToArray();
        return AnnotatedJpeg.Encode(pixels, header.Width, header.Height, region, plates, earlier);
    }
}

/// <summary><c>snapshot --json</c>: the file written and the frame it shows.</summary>
/// <param name="Plates">The plates drawn: this frame's (green), or else the last ones found before it (orange).</param>
/// <param name="PlatesFrame">The frame the plates drawn were found in (<paramref name="Sequence"/> when it is this one); null: none yet.</param>
internal sealed record SnapshotWritten(string Path, long Bytes, int Width, int Height, long Sequence, int Plates, long? PlatesFrame);
