using System.Diagnostics;
using System.Text.Json;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Tracking;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>replay FOLDER</c>: every image of a folder (jpg, jpeg, png, bmp; in name order) as a still, each searched whole
/// (a still has no motion to gate on) and every plate read, one read line per plate with the image's file name. Each
/// still is its own vehicle pass; an image that cannot be decoded is one stderr line and is skipped. Reads only: hits
/// are matched by replaying a video or image with <c>--config</c>.
/// </summary>
internal static class ReplayFolder
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    public static async Task<int> RunAsync(CliConsole console, string folder, string? configPath, bool json, string? region, CancellationToken cancellationToken)
    {
        if (ModelSettings.Load(console, configPath, region) is not { } settings)
        {
            return ExitCodes.BadInput;
        }

        var (detection, recognition, inference) = (settings.Detection, settings.Recognition, settings.Inference);
        var images = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (images.Count == 0)
        {
            return console.Fail(ExitCodes.BadInput, $"'{folder}' holds no image ({string.Join(", ", Extensions)})");
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var detector = PlateDetector.FromFile(detection.ResolvedModelPath, inference, detection.ScoreThreshold);
            using var readers = PlateReaders.Open(recognition, inference);
            var printer = new ReplayPrinter(console.Out, json);
            var roi = new RegionOfInterest(detection.RegionOfInterest);
            long done = 0, reads = 0, track = 0;
            foreach (var path in images)
            {
                cancellationToken.ThrowIfCancellationRequested();
                StillImage still;
                try
                {
                    still = StillImage.LoadGray(path);
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    console.Fail(0, $"{path}: skipped: {ex.Message}");
                    continue;
                }

                done++;
                foreach (var plate in StillPlates.Read(still, detector, readers, roi, detection.MinPlateWidth))
                {
                    var read = plate.Read;
                    if (!readers.Accepts(read))
                    {
                        continue;
                    }

                    var seen = new PlateObservation(0, 0, TimeSpan.Zero, plate.Crop, plate.Detection.Score, read.Text, read.CharacterConfidences, read.Confidence);
                    var pass = new VehiclePass(++track, read.Text!, read.CharacterConfidences, read.Confidence, 1, [0], [TimeSpan.Zero], seen, seen, seen, null);
                    printer.Line(json ? ReplayPrinter.ReadJson(pass, Path.GetFileName(path)) : $"{Path.GetFileName(path)}  {ReplayPrinter.ReadText(pass)}");
                    reads++;
                }
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            printer.Line(json
                ? JsonSerializer.Serialize(new ReplaySummary("summary", folder, null, null, done, 0, 0, done, reads, 0, Math.Round(seconds, 3)), CliJson.Default.ReplaySummary)
                : $"done: {done} images of {images.Count} in {seconds:F1} s, {reads} reads");
            return done == 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        }
        catch (InferenceException ex)
        {
            return console.Fail(ExitCodes.Failure, ex.Message);
        }
    }
}
