using System.CommandLine;
using System.Device.Gpio;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Hosting;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr gpio list|set|pulse|watch</c>: exercise the wired relay, status LED and loop input from the box, with
/// the lines, polarity and pull resistors of the configuration (<c>on</c> is the part's active state: an active-low
/// relay is on while its pin is low). The running agent holds the lines (the kernel gives a line to one requester), so
/// these work with the agent stopped; when a line is held and the agent answers on its status socket, the command says
/// so rather than passing on the kernel's "busy".
/// </summary>
internal static class GpioCommand
{
    /// <summary>The relay pulse unless told: a second, long enough to hear a relay click and see a beacon flash.</summary>
    public static readonly TimeSpan DefaultPulse = TimeSpan.FromSeconds(1);

    /// <summary>How long <c>gpio watch</c> watches unless told.</summary>
    public static readonly TimeSpan DefaultWatch = TimeSpan.FromMinutes(1);

    private const string AgentHoldsLines =
        "the agent holds the GPIO lines: stop it with `systemctl stop edge-anpr` (start it again afterwards with `systemctl start edge-anpr`), then try again";

    public static Command Create(CliConsole console) => Create(console, TimeProvider.System, LibGpiod.Open);

    /// <param name="console">Where results and problems go.</param>
    /// <param name="time">The clock of pulses, holds, watches and edge timestamps.</param>
    /// <param name="openChip">Opens a chip by path: <see cref="LibGpiod.Open"/>; tests give a controller over a fake driver.</param>
    internal static Command Create(CliConsole console, TimeProvider time, Func<string, GpioController> openChip) =>
        new("gpio", "Exercise the wired relay, status LED and loop input; the agent must be stopped (it holds the lines). " + ToolExit.Help)
        {
            List(console, openChip),
            Set(console, time, openChip),
            Pulse(console, time, openChip),
            Watch(console, time, openChip),
        };

    private static Command List(CliConsole console, Func<string, GpioController> openChip)
    {
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command(
            "list",
            "The configured lines: part, key, chip, line, direction, polarity, and the input's value (outputs are not read: reading a line " +
            "makes it an input, which would let the relay drop or float). " + ToolExit.Help)
        {
            config, json,
        };
        command.SetAction(parse =>
        {
            if (Load(console, parse.GetValue(config)) is not { } setup)
            {
                return ToolExit.BadInput;
            }

            var parts = GpioPart.Configured(setup.Options);
            GpioController? controller = null;
            string? chipProblem = null;
            try
            {
                controller = openChip(setup.Options.Chip);
            }
            catch (GpioException ex)
            {
                chipProblem = ex.Message;
            }

            using (controller)
            {
                var rows = parts.Select(part => Row(setup, part, controller, chipProblem)).ToList();
                if (parse.GetValue(json))
                {
                    foreach (var row in rows)
                    {
                        console.Out.WriteLine(JsonSerializer.Serialize(row, ToolJson.Default.GpioLineJson));
                    }
                }
                else
                {
                    console.Out.WriteLine($"GPIO {(setup.Options.Enabled ? "on" : "off (Gpio:Enabled is false: the agent does not use these lines)")}, chip {setup.Options.Chip}");
                    console.Out.WriteLine("PART   KEY                CHIP             LINE  DIRECTION  POLARITY     VALUE");
                    foreach (var row in rows)
                    {
                        console.Out.WriteLine(string.Create(
                            CultureInfo.InvariantCulture,
                            $"{row.Part,-6} {row.Key,-18} {row.Chip,-16} {row.Line,4}  {row.Direction,-9}  {(row.ActiveLow ? "active-low" : "active-high"),-11}  {row.Value ?? (chipProblem is null ? row.Problem : "-")}"));
                    }

                    if (rows.Count == 0)
                    {
                        console.Out.WriteLine("no part is configured (Gpio:Relay, Gpio:StatusLed, Gpio:LoopDetector)");
                    }
                    else if (chipProblem is not null)
                    {
                        console.Out.WriteLine(chipProblem);
                    }
                }

                // Nothing wired, nothing to reach: a box without GPIO parts is a box that works.
                return rows.Any(r => r.Held) || (rows.Count > 0 && chipProblem is not null) ? ToolExit.Unreachable : ToolExit.Ok;
            }
        });
        return command;
    }

    private static Command Set(CliConsole console, TimeProvider time, Func<string, GpioController> openChip)
    {
        var line = PartArgument("The output to set: relay or led");
        var state = new Argument<string>("state") { Description = "on or off (the part's state; polarity is applied)" };
        var hold = new Option<string?>("--hold") { Description = "Keep the line requested this long (e.g. 30s) before releasing it; default: release at once", HelpName = "AGE" };
        var config = CommonOptions.Config();
        var command = new Command(
            "set",
            "Switch an output on or off. Released at once unless --hold: a released line keeps its level on most chips, but that is the " +
            "chip driver's choice, and the agent sets every output when it starts. " + ToolExit.Help)
        {
            line, state, hold, config,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var on = parse.GetValue(state)?.Trim().ToLowerInvariant() switch
            {
                "on" or "1" or "true" => true,
                "off" or "0" or "false" => (bool?)false,
                _ => null,
            };
            if (on is null)
            {
                return console.Fail(ToolExit.BadInput, $"'{parse.GetValue(state)}' is not a state: on or off.");
            }

            var holdFor = TimeSpan.Zero;
            if (parse.GetValue(hold) is { } text && !OutboxCommand.TryParseAge(text, out holdFor))
            {
                return console.Fail(ToolExit.BadInput, $"--hold '{text}' is not a duration: write it as 30s or 5m.");
            }

            return await WithOutputAsync(console, parse.GetValue(config), parse.GetValue(line)!, openChip, on.Value, async (part, output) =>
            {
                console.Out.WriteLine($"{part.Name} ({Where(part)}): {part.Meaning(on.Value)}");
                if (holdFor > TimeSpan.Zero)
                {
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"holding for {holdFor.TotalSeconds:0.###} s (Ctrl+C releases it)"));
                    await Delay(holdFor, time, cancellationToken);
                }
            });
        });
        return command;
    }

    private static Command Pulse(CliConsole console, TimeProvider time, Func<string, GpioController> openChip)
    {
        var line = PartArgument("The output to pulse: relay or led");
        var length = new Option<int?>("--ms") { Description = $"Pulse length in milliseconds (default {DefaultPulse.TotalMilliseconds:0}; 10 to 600000)", HelpName = "N" };
        var config = CommonOptions.Config();
        var command = new Command("pulse", "Switch an output on for a moment, then off, as a hit does. " + ToolExit.Help) { line, length, config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var pulse = parse.GetValue(length) is { } ms ? TimeSpan.FromMilliseconds(ms) : DefaultPulse;
            if (pulse < GpioOptions.MinPulse || pulse > GpioOptions.MaxPulse)
            {
                return console.Fail(ToolExit.BadInput, $"--ms {parse.GetValue(length)} is out of range: 10 to 600000.");
            }

            return await WithOutputAsync(console, parse.GetValue(config), parse.GetValue(line)!, openChip, initiallyOn: false, async (part, output) =>
            {
                // The timer starts first: whoever sees the relay on knows its end is already set.
                var off = Delay(pulse, time, cancellationToken);
                output.Write(true);
                try
                {
                    await off;
                }
                finally
                {
                    // Off whatever happened: a relay left on by a Ctrl+C would keep a beacon flashing.
                    output.Write(false);
                }

                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{part.Name} ({Where(part)}): on for {pulse.TotalMilliseconds:0} ms, now off"));
            });
        });
        return command;
    }

    private static Command Watch(CliConsole console, TimeProvider time, Func<string, GpioController> openChip)
    {
        var line = PartArgument("The input to watch: loop");
        var duration = new Option<string?>("--duration") { Description = "How long to watch (default 1m); Ctrl+C stops sooner", HelpName = "AGE" };
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command(
            "watch",
            "Print every edge of an input with its time (UTC) and the time since the previous one, undebounced, as the contacts make them. " + ToolExit.Help)
        {
            line, duration, config, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var watchFor = DefaultWatch;
            if (parse.GetValue(duration) is { } text && (!OutboxCommand.TryParseAge(text, out watchFor) || watchFor <= TimeSpan.Zero))
            {
                return console.Fail(ToolExit.BadInput, $"--duration '{text}' is not a duration: write it as 30s or 5m.");
            }

            if (Load(console, parse.GetValue(config)) is not { } setup)
            {
                return ToolExit.BadInput;
            }

            if (GpioPart.Find(setup.Options, parse.GetValue(line)!, out var problem) is not { } part)
            {
                return console.Fail(ToolExit.BadInput, problem);
            }

            if (part.IsOutput)
            {
                return console.Fail(ToolExit.BadInput, $"{part.Name} is an output ({part.Key}); watch reads inputs: loop.");
            }

            try
            {
                using var controller = openChip(setup.Options.Chip);
                var input = GpioLine.OpenInput(controller, part.Line, part.ActiveLow, part.Bias, part.Key);
                var edges = Channel.CreateBounded<(bool Active, DateTimeOffset At)>(
                    new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var end = Delay(watchFor, time, stop.Token);
                PinChangeEventHandler onEdge = (_, e) => edges.Writer.TryWrite(((e.ChangeType == PinEventTypes.Rising) != part.ActiveLow, time.GetUtcNow()));
                controller.RegisterCallbackForPinValueChangedEvent(part.Line, PinEventTypes.Rising | PinEventTypes.Falling, onEdge);
                var asJson = parse.GetValue(json);
                var started = time.GetUtcNow();
                var last = started;
                var count = 0;
                if (!asJson)
                {
                    console.Out.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"watching {part.Name} ({Where(part)}) for {watchFor.TotalSeconds:0.###} s: now {part.Meaning(input.Read())}"));
                }

                try
                {
                    // Waits without taking: an edge written before the end is in the channel even when the end is seen first
                    // (the channel wakes its reader on the thread pool), and is printed by the last drain.
                    while (true)
                    {
                        var ready = edges.Reader.WaitToReadAsync(stop.Token).AsTask();
                        var ended = await Task.WhenAny(ready, end) == end;
                        while (edges.Reader.TryRead(out var change))
                        {
                            count++;
                            var edge = new GpioEdgeJson(change.At, change.Active ? "active" : "inactive", part.Meaning(change.Active), Math.Round((change.At - last).TotalSeconds, 3));
                            console.Out.WriteLine(asJson
                                ? JsonSerializer.Serialize(edge, ToolJson.Default.GpioEdgeJson)
                                : string.Create(CultureInfo.InvariantCulture, $"{change.At:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}  {edge.State,-8}  {edge.Meaning,-15}  +{edge.SincePreviousSeconds:0.000} s"));
                            last = change.At;
                        }

                        if (ended)
                        {
                            break;
                        }
                    }

                    await stop.CancelAsync();
                }
                finally
                {
                    controller.UnregisterCallbackForPinValueChangedEvent(part.Line, onEdge);
                }

                if (!asJson)
                {
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "edge" : "edges")} in {(time.GetUtcNow() - started).TotalSeconds:0.###} s"));
                }

                return ToolExit.Ok;
            }
            catch (GpioException ex)
            {
                return console.Fail(ToolExit.Unreachable, Explain(setup, ex));
            }
        });
        return command;
    }

    /// <summary>Opens <paramref name="name"/> as an output at <paramref name="initiallyOn"/>, runs <paramref name="use"/>, releases it.</summary>
    private static async Task<int> WithOutputAsync(
        CliConsole console, string? configPath, string name, Func<string, GpioController> openChip, bool initiallyOn, Func<GpioPart, GpioLine, Task> use)
    {
        if (Load(console, configPath) is not { } setup)
        {
            return ToolExit.BadInput;
        }

        if (GpioPart.Find(setup.Options, name, out var problem) is not { } part)
        {
            return console.Fail(ToolExit.BadInput, problem);
        }

        if (!part.IsOutput)
        {
            return console.Fail(ToolExit.BadInput, $"{part.Name} is an input ({part.Key}); set and pulse drive outputs: relay or led.");
        }

        try
        {
            using var controller = openChip(setup.Options.Chip);
            await use(part, GpioLine.OpenOutput(controller, part.Line, part.ActiveLow, initiallyOn, part.Key));
            return ToolExit.Ok;
        }
        catch (GpioException ex)
        {
            return console.Fail(ToolExit.Unreachable, Explain(setup, ex));
        }
    }

    /// <summary>One part's line in <c>gpio list</c>; an input is opened (as the agent opens it) and read.</summary>
    private static GpioLineJson Row(GpioSetup setup, GpioPart part, GpioController? controller, string? chipProblem)
    {
        var row = new GpioLineJson(part.Name, part.Key, setup.Options.Chip, part.Line, part.IsOutput ? "output" : "input", part.ActiveLow, part.Bias.ToString(), null, null, false);
        if (controller is null)
        {
            return row with { Problem = chipProblem };
        }

        if (part.IsOutput)
        {
            return row with { Problem = "not read (output)" };
        }

        try
        {
            var input = GpioLine.OpenInput(controller, part.Line, part.ActiveLow, part.Bias, part.Key);
            var value = part.Meaning(input.Read());
            controller.ClosePin(part.Line);
            return row with { Value = value };
        }
        catch (GpioException ex)
        {
            return row with { Problem = Explain(setup, ex), Held = true };
        }
    }

    /// <summary>A line that cannot be opened: the agent's doing when it answers on its status socket, else the driver's own words.</summary>
    private static string Explain(GpioSetup setup, GpioException exception) =>
        exception.InnerException is IOException or InvalidOperationException && AgentAnswers(setup.StatusSocket)
            ? AgentHoldsLines
            : exception.Message;

    /// <summary>Whether something accepts connections on the agent's status socket: the agent is running.</summary>
    private static bool AgentAnswers(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Where(GpioPart part) =>
        string.Create(CultureInfo.InvariantCulture, $"{part.Key}, line {part.Line}, {(part.ActiveLow ? "active-low" : "active-high")}");

    private static Argument<string> PartArgument(string description) => new("line") { Description = description };

    private static async Task Delay(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or the end of a watch: the caller releases the line.
        }
    }

    /// <summary>The <c>Gpio</c> section (checked) and where the agent's status socket is; null after printing the problems.</summary>
    private static GpioSetup? Load(CliConsole console, string? configPath)
    {
        if (ValidatedConfiguration.LoadSections(console, configPath, new OptionsEntry<GpioOptions, GpioOptionsValidator>(GpioOptions.SectionName)) is not { } configuration)
        {
            return null;
        }

        var options = configuration.GetSection(GpioOptions.SectionName).Get<GpioOptions>() ?? new GpioOptions();
        return new GpioSetup(options, configuration["Status:SocketPath"] is { Length: > 0 } socket ? socket : StatusSocketReader.DefaultSocketPath);
    }

    private sealed record GpioSetup(GpioOptions Options, string StatusSocket);
}

internal sealed record GpioLineJson(
    string Part, string Key, string Chip, int Line, string Direction, bool ActiveLow, string Bias, string? Value, string? Problem, bool Held);

internal sealed record GpioEdgeJson(DateTimeOffset At, string State, string Meaning, double SincePreviousSeconds);
