using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr replay INPUT</c>: the same pipeline as <c>run</c> over a file or URL, printing each vehicle pass's read
/// as it ends and exiting at the input's end. With <c>--config</c> it also matches the local watchlist and stores (and,
/// with <c>Mqtt:Host</c>, publishes) hits through the outbox, then waits for the outbox to drain.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>How often progress is printed for people.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    public static Command Create(CliConsole console)
    {
        var input = new Argument<string>("input") { Description = "A video or image file, a folder of images (each read as a still), or an rtsp:// URL" };
        var config = CommonOptions.Config();
        config.Description = "Configuration file; with it, reads are matched against its watchlist and hits stored and delivered";
        var json = CommonOptions.Json();
        var region = new Option<string?>("--region", "-r")
        {
            Description = "Plate region to read: ir, kz, ru, latin or auto (default: the configuration's Recognition:Regions, else ir)",
            HelpName = "R",
        };
        var drainTimeout = new Option<double?>("--drain-timeout")
        {
            Description = $"Seconds to wait at the end for hits to be delivered (default {DeliveryOptions.DefaultDrainTimeout.TotalSeconds:0}); exit code 3 when they are not",
            HelpName = "SECONDS",
        };
        var pace = new Option<bool>("--pace") { Description = "Deliver a file at its native frame rate, as a camera would" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also log what the pipeline does (to stderr)" };
        var command = new Command("replay", "Process a recording with the same pipeline as run, print each read, then exit")
        {
            input, config, json, region, drainTimeout, pace, verbose,
        };
        command.SetAction((parse, cancellationToken) => ReplayAsync(
            console,
            parse.GetValue(input)!,
            parse.GetValue(config),
            new ReplayOutput(parse.GetValue(json), parse.GetValue(pace), parse.GetValue(verbose), parse.GetValue(region), parse.GetValue(drainTimeout)),
            cancellationToken));
        return command;
    }

    private static async Task<int> ReplayAsync(CliConsole console, string input, string? configPath, ReplayOutput how, CancellationToken cancellationToken)
    {
        if (how.DrainTimeout is { } seconds && !(seconds >= 0 && seconds <= TimeSpan.FromDays(1).TotalSeconds))
        {
            return console.Fail(ExitCodes.BadInput, $"--drain-timeout {seconds.ToString(CultureInfo.InvariantCulture)}: give seconds from 0 to 86400");
        }

        if (how.Region is { } code && !PlateRegions.TryParse(code, out _) && !string.Equals(code, RecognitionOptions.AllRegions, StringComparison.OrdinalIgnoreCase))
        {
            return console.Fail(ExitCodes.BadInput, $"--region '{code}': use ir, kz, ru, latin or auto");
        }

        if (Directory.Exists(input))
        {
            return await ReplayFolder.RunAsync(console, input, configPath, how.Json, how.Region, cancellationToken);
        }

        var overrides = new Dictionary<string, string?>
        {
            ["Camera:Source"] = input,
            ["Camera:Pace"] = how.Pace ? "true" : "false",

            // A replay prints its results and its one problem line itself; logging is for --verbose.
            ["Logging:LogLevel:Default"] = how.Verbose ? "Information" : "None",
        };
        if (how.DrainTimeout is { } drain)
        {
            overrides["Delivery:DrainTimeout"] = TimeSpan.FromSeconds(drain).ToString("c", CultureInfo.InvariantCulture);
        }

        if (how.Region is { } only)
        {
            // The binder adds list entries to the file's rather than replacing them: overwrite every index with the one region.
            var listed = AgentConfiguration.Load(configPath).GetSection("Recognition:Regions").GetChildren().Count();
            for (var i = 0; i < Math.Max(1, listed); i++)
            {
                overrides[$"Recognition:Regions:{i}"] = only;
            }
        }

        IConfigurationRoot? configuration;
        try
        {
            configuration = ValidatedConfiguration.Load(console, configPath, overrides);
        }
        catch (ConfigurationException ex)
        {
            return console.Fail(ExitCodes.BadInput, ex.Message);
        }

        if (configuration is null)
        {
            return ExitCodes.BadInput;
        }

        var run = new AgentRun(AgentMode.Replay) { Matches = configPath is not null };
        var printer = new ReplayPrinter(console.Out, how.Json);
        using var host = AgentHost.Build(configuration, run, services => services.AddSingleton<IPipelineObserver>(printer));
        var capture = host.Services.GetRequiredService<CaptureService>();
        var stats = host.Services.GetRequiredService<PipelineStats>();
        var time = host.Services.GetRequiredService<TimeProvider>();
        var started = time.GetTimestamp();

        var running = AgentHost.RunAsync(host, run, cancellationToken);
        if (!how.Json && !how.Verbose && !Console.IsOutputRedirected)
        {
            // Progress for a person at a terminal; a file or a pipe gets the reads and the summary only.
            using var timer = new PeriodicTimer(ProgressInterval, time);
            while (!running.IsCompleted && await Task.WhenAny(running, timer.WaitForNextTickAsync(CancellationToken.None).AsTask()) != running)
            {
                if (capture.Status.State == CaptureState.Running)
                {
                    printer.Progress(Progress(capture.Status, stats, time.GetElapsedTime(started)));
                }
            }
        }

        await running;
        var elapsed = time.GetElapsedTime(started);
        if (run.Problem is { } problem && run.ExitCode != ExitCodes.DrainTimeout)
        {
            return console.Fail(run.ExitCode, problem);
        }

        // A drain timeout still ends with the summary: the reads happened, only delivery is incomplete.
        printer.Line(how.Json ? SummaryJson(input, capture.Status, stats, elapsed) : Summary(capture.Status, stats, elapsed, run.Matches));
        return run.Problem is { } undelivered ? console.Fail(run.ExitCode, undelivered) : ExitCodes.Ok;
    }

    private static string Progress(CaptureStatus status, PipelineStats stats, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{elapsed:mm\\:ss\\.f}  frames {stats.FramesProcessed,6}  {Rate(stats.FramesProcessed, elapsed),6:F1} fps  dropped {status.Dropped}  passes {stats.Passes}");

    private static string Summary(CaptureStatus status, PipelineStats stats, TimeSpan elapsed, bool matched) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"done: {stats.FramesProcessed} frames of {status.Format?.Width}x{status.Format?.Height} in {elapsed.TotalSeconds:F1} s ({Rate(stats.FramesProcessed, elapsed):F1} fps), {stats.Passes} reads{(matched ? $", {stats.Hits} hits" : "")}, {status.Dropped} dropped");

    private static string SummaryJson(string input, CaptureStatus status, PipelineStats stats, TimeSpan elapsed) =>
        JsonSerializer.Serialize(
            new ReplaySummary(
                "summary",
                input,
                status.Format?.Width,
                status.Format?.Height,
                stats.FramesProcessed,
                status.Dropped,
                stats.FramesFailed,
                stats.DetectorRuns,
                stats.Passes,
                stats.Hits,
                Math.Round(elapsed.TotalSeconds, 3)),
            CliJson.Default.ReplaySummary);

    private static double Rate(long frames, TimeSpan elapsed) => elapsed > TimeSpan.Zero ? frames / elapsed.TotalSeconds : 0;
}

internal readonly record struct ReplayOutput(bool Json, bool Pace, bool Verbose, string? Region, double? DrainTimeout);

/// <summary>The last line of <c>replay --json</c>.</summary>
/// <param name="Type">Always <c>summary</c>.</param>
/// <param name="Input">The input replayed.</param>
/// <param name="Width">Frame width, null when no frame was read.</param>
/// <param name="Height">Frame height.</param>
/// <param name="Frames">Frames processed.</param>
/// <param name="Dropped">Frames dropped by the capture queue (0 for a recording read at full speed).</param>
/// <param name="FailedFrames">Frames skipped because inference failed on them.</param>
/// <param name="DetectorRuns">Frames the detector ran on.</param>
/// <param name="Reads">Vehicle passes read (the <c>read</c> lines).</param>
/// <param name="Hits">Hits committed to the outbox (the <c>hit</c> lines).</param>
/// <param name="Seconds">Wall time of the replay.</param>
internal sealed record ReplaySummary(
    string Type, string Input, int? Width, int? Height, long Frames, long Dropped, long FailedFrames, long DetectorRuns, long Reads, long Hits, double Seconds);
