using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Status;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr aim [--duration 60]</c>: what a technician needs to set zoom and focus, live from the running agent:
/// plate height in pixels against <see cref="RecommendedPlateHeight"/>, a focus measure, brightness and frames/s.
/// One refreshing line on a terminal, one line a second otherwise; <c>--json</c> prints only the final summary.
/// Exit codes: <see cref="CliExitCodes"/>.
/// </summary>
internal static class AimCommand
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static Command Create(CliConsole console)
    {
        var config = CommonOptions.Config();
        var json = new Option<bool>("--json") { Description = "Print only the final summary, as JSON" };
        var duration = new Option<string?>("--duration", "-d")
        {
            Description = $"How long to watch: seconds, or hh:mm:ss (default {DefaultDuration.TotalSeconds:0}, at most {StatusProtocol.MaxAimDuration.TotalMinutes:0} min)",
            HelpName = "SECONDS",
        };
        var command = new Command("aim", "Watch plate size, focus, brightness and frames/s live while setting up the camera") { config, duration, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (ParseDuration(parse.GetValue(duration)) is not { } watch)
            {
                return console.Fail(CliExitCodes.Usage, $"--duration '{parse.GetValue(duration)}' is not a duration from 1 s to {StatusProtocol.MaxAimDuration.TotalMinutes:0} min (seconds, or hh:mm:ss)");
            }

            if (StatusCommandContext.Load(console, parse.GetValue(config)) is not { } context)
            {
                return CliExitCodes.Configuration;
            }

            var style = CliStyle.For(console);
            var quiet = parse.GetValue(json);
            var summary = new AimTally();
            // One sample a second: the run ends after as many samples as seconds asked for. The timer is a backstop
            // for an agent that stops sending (Ctrl+C ends it early too); the summary covers what came.
            var samples = (int)Math.Ceiling(watch.TotalSeconds);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stop.CancelAfter(watch + ConnectTimeout);
            try
            {
                await foreach (var sample in StatusClient.AimAsync(context.Status.SocketPath, ConnectTimeout, stop.Token))
                {
                    summary.Add(sample);
                    if (!quiet)
                    {
                        var line = Line(sample, summary);
                        console.Out.Write(style.Terminal ? $"\r\e[2K{line}" : line + Environment.NewLine);
                        console.Out.Flush();
                    }

                    if (summary.Seconds >= samples)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The duration is up (or Ctrl+C): the summary follows.
            }
            catch (AgentUnreachableException ex)
            {
                return console.Fail(CliExitCodes.AgentUnreachable, $"{ex.Message}; {ex.Fix}");
            }
            catch (StatusRequestException ex)
            {
                return console.Fail(CliExitCodes.Problems, ex.Message);
            }
            catch (IOException ex)
            {
                return console.Fail(CliExitCodes.Problems, $"the agent closed the aim stream: {ex.Message}");
            }

            var result = summary.Summarise();
            if (quiet)
            {
                console.Out.WriteLine(JsonSerializer.Serialize(result, CliJson.Default.AimSummary));
            }
            else
            {
                if (style.Terminal)
                {
                    console.Out.WriteLine();
                }

                PrintSummary(console.Out, result, style);
            }

            return result.Seconds == 0 ? CliExitCodes.Problems : CliExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Seconds ("60", "60s", "1.5") or a time span ("00:01:00"), from 1 s to the agent's longest aim; else null.</summary>
    internal static TimeSpan? ParseDuration(string? text)
    {
        if (text is null)
        {
            return DefaultDuration;
        }

        var trimmed = text.Trim().TrimEnd('s');
        TimeSpan value;
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds < 1e6)
        {
            value = TimeSpan.FromSeconds(seconds);
        }
        else if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        return value >= TimeSpan.FromSeconds(1) && value <= StatusProtocol.MaxAimDuration ? value : null;
    }

    private static string Line(AimSample sample, AimTally tally)
    {
        if (sample.Problem is { } problem)
        {
            return problem;
        }

        var plates = sample.PlateHeights.Count == 0
            ? "no plate"
            : string.Create(CultureInfo.InvariantCulture, $"{sample.PlateHeights.Count} plate(s) {Median(sample.PlateHeights):0} px high");
        var so = tally.Heights.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" (so far median {Median(tally.Heights):0}, {tally.Heights.Min():0}-{tally.Heights.Max():0})");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{plates}{so}, want {RecommendedPlateHeight.Min}-{RecommendedPlateHeight.Max} · focus {sample.Focus:0} ({sample.FocusOn}) · brightness {sample.Brightness:0} · {sample.FramesPerSecond:0.0} frames/s");
    }

    private static void PrintSummary(TextWriter output, AimSummary summary, CliStyle style)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"aim: {summary.Seconds} s, {summary.Plates} plate(s) seen"));
        if (summary.PlateHeightMedian is { } median)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"  plate height  median {median:0} px, range {summary.PlateHeightMin:0}-{summary.PlateHeightMax:0} (recommended {RecommendedPlateHeight.Min}-{RecommendedPlateHeight.Max})");
            output.WriteLine(summary.PlateHeightVerdict == "ok" ? line : style.Warn(line));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  focus         {summary.FocusMedian:0} (variance of the Laplacian; higher is sharper)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  brightness    {summary.BrightnessMedian:0} of 255"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  frames/s      {summary.FramesPerSecondMedian:0.0}"));
        foreach (var advice in summary.Advice)
        {
            output.WriteLine(style.Warn($"  ! {advice}"));
        }
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
