using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeAnpr.Agent.Cli;

/// <summary><c>edge-anpr replay INPUT</c>: the same pipeline as <c>run</c> over a file or URL, exiting at its end.</summary>
internal static class ReplayCommand
{
    /// <summary>How often progress is printed for people.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    public static Command Create(CliConsole console)
    {
        var input = new Argument<string>("input") { Description = "A video or image file, or an rtsp:// URL" };
        var config = CommonOptions.Config();
        var json = CommonOptions.Json();
        var pace = new Option<bool>("--pace") { Description = "Deliver a file at its native frame rate, as a camera would" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also log what the pipeline does (to stderr)" };
        var command = new Command("replay", "Process a recording with the same pipeline as run, then exit") { input, config, json, pace, verbose };
        command.SetAction((parse, cancellationToken) => ReplayAsync(
            console,
            parse.GetValue(input)!,
            parse.GetValue(config),
            new ReplayOutput(parse.GetValue(json), parse.GetValue(pace), parse.GetValue(verbose)),
            cancellationToken));
        return command;
    }

    private static async Task<int> ReplayAsync(CliConsole console, string input, string? configPath, ReplayOutput how, CancellationToken cancellationToken)
    {
        var json = how.Json;
        var overrides = new Dictionary<string, string?>
        {
            ["Camera:Source"] = input,
            ["Camera:Pace"] = how.Pace ? "true" : "false",

            // A replay prints its results and its one problem line itself; logging is for --verbose.
            ["Logging:LogLevel:Default"] = how.Verbose ? "Information" : "None",
        };
        if (ValidatedConfiguration.Load(console, configPath, overrides) is not { } configuration)
        {
            return ExitCodes.BadInput;
        }

        var run = new AgentRun(AgentMode.Replay);
        using var host = AgentHost.Build(configuration, run);
        var capture = host.Services.GetRequiredService<CaptureService>();
        var stats = host.Services.GetRequiredService<PipelineStats>();
        var time = host.Services.GetRequiredService<TimeProvider>();
        var started = time.GetTimestamp();

        var running = host.RunAsync(cancellationToken);
        if (!json)
        {
            using var timer = new PeriodicTimer(ProgressInterval, time);
            while (!running.IsCompleted && await Task.WhenAny(running, timer.WaitForNextTickAsync(CancellationToken.None).AsTask()) != running)
            {
                if (capture.Status.State == CaptureState.Running)
                {
                    console.Out.WriteLine(Progress(capture.Status, stats, time.GetElapsedTime(started)));
                }
            }
        }

        await running;
        if (run.Problem is { } problem)
        {
            return console.Fail(run.ExitCode, problem);
        }

        var elapsed = time.GetElapsedTime(started);
        console.Out.WriteLine(json ? SummaryJson(input, capture.Status, stats, elapsed) : Summary(capture.Status, stats, elapsed));
        return ExitCodes.Ok;
    }

    private static string Progress(CaptureStatus status, PipelineStats stats, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{elapsed:mm\\:ss\\.f}  frames {stats.FramesProcessed,6}  {Rate(stats.FramesProcessed, elapsed),6:F1} fps  dropped {status.Dropped}");

    private static string Summary(CaptureStatus status, PipelineStats stats, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"done: {stats.FramesProcessed} frames of {status.Format?.Width}x{status.Format?.Height} in {elapsed.TotalSeconds:F1} s ({Rate(stats.FramesProcessed, elapsed):F1} fps), {status.Dropped} dropped");

    private static string SummaryJson(string input, CaptureStatus status, PipelineStats stats, TimeSpan elapsed) =>
        JsonSerializer.Serialize(new ReplaySummary(
            "summary", input, status.Format?.Width, status.Format?.Height, stats.FramesProcessed, status.Dropped, Math.Round(elapsed.TotalSeconds, 3)),
            CliJson.Default.ReplaySummary);

    private static double Rate(long frames, TimeSpan elapsed) => elapsed > TimeSpan.Zero ? frames / elapsed.TotalSeconds : 0;
}

internal readonly record struct ReplayOutput(bool Json, bool Pace, bool Verbose);

internal sealed record ReplaySummary(string Type, string Input, int? Width, int? Height, long Frames, long Dropped, double Seconds);
