using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Status;
using EdgeAnpr.Agent.Storage;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr status</c>: one screen that answers "is this box healthy", each problem with what to do about it,
/// from the running agent's status socket; when no agent answers, what the database and files alone say.
/// Exit codes: <see cref="CliExitCodes"/> (0 healthy, 1 problems, 2 agent not reachable, 64 usage, 78 configuration).
/// </summary>
internal static class StatusCommand
{
    /// <summary>How long the agent may take to answer: it builds the document from counters, in milliseconds.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    public static Command Create(CliConsole console)
    {
        var config = CommonOptions.Config();
        var json = new Option<bool>("--json") { Description = "Print the status document (JSON) instead of text for people" };
        var command = new Command("status", "Is this box healthy: the running agent's camera, pipeline, outbox, broker, watchlist and models") { config, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (StatusCommandContext.Load(console, parse.GetValue(config)) is not { } context)
            {
                return CliExitCodes.Configuration;
            }

            StatusDocument document;
            try
            {
                document = await StatusClient.GetStatusAsync(context.Status.SocketPath, AnswerTimeout, cancellationToken);
            }
            catch (AgentUnreachableException ex)
            {
                document = context.Offline(ex.Message, ex.Fix);
            }
            catch (StatusRequestException ex)
            {
                return console.Fail(CliExitCodes.Problems, ex.Message);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return console.Fail(CliExitCodes.Problems, $"the agent did not answer on {context.Status.SocketPath} within {AnswerTimeout.TotalSeconds:0} s: it may be stuck (systemctl status edge-anpr)");
            }

            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(document, StatusJson.Wire.StatusDocument));
            }
            else
            {
                Print(console.Out, document, CliStyle.For(console));
            }

            return !document.AgentRunning ? CliExitCodes.AgentUnreachable : document.Healthy ? CliExitCodes.Ok : CliExitCodes.Problems;
        });
        return command;
    }

    internal static void Print(TextWriter output, StatusDocument status, CliStyle style)
    {
        var head = $"edge-anpr {status.AgentVersion}";
        if (status.SiteId is not null || status.CameraId is not null)
        {
            head += $" · {status.SiteId}/{status.CameraId}";
        }

        head += status.UptimeSeconds is { } up ? $" · up {Duration(up)}" : " · " + style.Bad("agent not running");
        if (status.CpuTemperatureCelsius is { } celsius)
        {
            head += string.Create(CultureInfo.InvariantCulture, $" · CPU {celsius:0.0} °C");
        }

        output.WriteLine(head);
        if (status.Camera is { } camera)
        {
            var line = $"{camera.State}";
            if (camera.Width is { } w && camera.Height is { } h)
            {
                line += $" {w}x{h}";
            }

            line += string.Create(CultureInfo.InvariantCulture, $", {Rate(camera.FramesPerSecond)} frames/s, {camera.Frames} frames, {camera.Dropped} dropped, {camera.Restarts} restarts");
            line += $", decoder {camera.Decoder ?? "unknown"}";
            Row(output, "camera", camera.State == "running" ? line : style.Bad(line));
        }

        if (status.Pipeline is { } pipeline)
        {
            Row(output, "pipeline", string.Join(" · ", pipeline.Stages.Select(s => s.Stuck
                ? style.Bad($"{s.Name} STUCK {s.BusySeconds:0} s")
                : $"{s.Name} {Rate(s.RatePerSecond)}/s")) + $" · queue {pipeline.FrameQueueDepth?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        }

        if (status.LastHour is { } hour)
        {
            Row(output, "last hour", $"{hour.Reads} reads, {hour.Hits} hits");
        }

        if (status.Outbox is { } outbox)
        {
            Row(output, "outbox", outbox.Depth == 0 ? "empty" : $"{outbox.Depth} hit(s) waiting, oldest {Duration(outbox.OldestAgeSeconds ?? 0)}");
        }

        if (status.Broker is { } broker)
        {
            var line = broker.State == "connected"
                ? $"connected since {broker.Since.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} ({broker.Connects} connects)"
                : $"{broker.State}: {broker.Reason}";
            Row(output, "broker", broker.State == "connected" ? line : style.Bad(line));
        }
        else if (status.AgentRunning)
        {
            Row(output, "broker", "off (no Mqtt:Host): hits are stored only");
        }

        if (status.Watchlist is { } watchlist)
        {
            Row(output, "watchlist", $"version {watchlist.Version?.ToString(CultureInfo.InvariantCulture) ?? "none (not synced)"}, {watchlist.Entries} entries");
        }

        Row(output, "models", string.Join(" · ", status.Models.Select(m =>
            m.Problem is null ? $"{m.Role} {m.Version ?? m.Sha256}" : style.Bad($"{m.Role} unreadable"))));

        output.WriteLine();
        if (status.Healthy)
        {
            output.WriteLine(style.Good("HEALTHY"));
            return;
        }

        output.WriteLine(style.Bad(status.Problems.Count == 1 ? "1 PROBLEM" : $"{status.Problems.Count} PROBLEMS"));
        foreach (var problem in status.Problems)
        {
            output.WriteLine($"  ! {problem.Problem}");
            output.WriteLine(style.Dim($"    fix: {problem.Fix}"));
        }
    }

    private static void Row(TextWriter output, string label, string text) => output.WriteLine($"{label,-10} {text}");

    private static string Rate(double? rate) => rate is { } value ? value.ToString("0.0#", CultureInfo.InvariantCulture) : "-";

    private static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h"
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
            : $"{span.Seconds} s";
    }
}

/// <summary>
/// What <c>status</c>, <c>snapshot</c> and <c>aim</c> read from the configuration: the socket (checked), and, bound
/// leniently for what <c>status</c> says without an agent, the state directory, the models and the ids.
/// </summary>
internal sealed class StatusCommandContext
{
    private readonly IConfiguration _configuration;

    private StatusCommandContext(IConfiguration configuration, StatusOptions status)
    {
        _configuration = configuration;
        Status = status;
    }

    public StatusOptions Status { get; }

    public static StatusCommandContext? Load(CliConsole console, string? configPath)
    {
        if (ValidatedConfiguration.LoadSections(console, configPath, new OptionsEntry<StatusOptions, StatusOptionsValidator>(StatusOptions.SectionName)) is not { } configuration)
        {
            return null;
        }

        return new StatusCommandContext(configuration, Bind<StatusOptions>(configuration, StatusOptions.SectionName));
    }

    /// <summary>The document without an agent: <paramref name="reason"/> is its first problem.</summary>
    public StatusDocument Offline(string reason, string fix) => OfflineStatus.Build(
        reason,
        fix,
        Bind<StorageOptions>(_configuration, StorageOptions.SectionName),
        ModelVersions.Read(Bind<DetectionOptions>(_configuration, DetectionOptions.SectionName), Bind<RecognitionOptions>(_configuration, RecognitionOptions.SectionName)),
        Bind<SiteOptions>(_configuration, SiteOptions.SectionName).Id,
        Bind<CameraOptions>(_configuration, CameraOptions.SectionName).Id,
        TimeProvider.System);

    /// <summary>Binds leniently: a bad value elsewhere must not stop a technician from seeing the rest.</summary>
    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException)
        {
        }

        return options;
    }
}
