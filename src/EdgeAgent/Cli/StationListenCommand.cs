using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Shared.Events;
using EdgeAnpr.Shared.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr station listen</c>: the station's side of delivery, for commissioning and scripts. Subscribes to the
/// hits of one site (or all) at QoS 1 with a persistent session, so hits published while it was away are waiting
/// for it, and prints each hit once: delivery is at least once, so duplicates (same event id) are dropped.
/// </summary>
internal static class StationListenCommand
{
    /// <summary>How many event ids are remembered for deduplication (a few MB); older ones are forgotten first.</summary>
    public const int DedupWindow = 100_000;

    public static Command Create(CliConsole console)
    {
        var connection = new StationConnectionOptions(
            host: ("The broker's host name or address", Required: true),
            tls: "Connect over TLS (the system's CAs unless --ca-file)", caFile: "PEM file of the CA that signed the broker's certificate (turns TLS on)",
            keyFile: ("--key-file", "PEM private key of the client certificate"),
            passwordFile: "File whose first line is the password (chmod 600)");
        var site = new Option<string?>("--site") { Description = "Only this site's hits (default: every site)", HelpName = "SITE" };
        var clientId = new Option<string?>("--client-id")
        {
            Description = "MQTT client id; keep it the same between runs so the broker keeps this listener's hits while it is away (default edge-anpr-station-<host name>)",
            HelpName = "ID",
        };
        var cleanSession = new Option<bool>("--clean-session") { Description = "Start a clean session: forget hits queued while this listener was away" };
        var json = CommonOptions.Json();
        var count = new Option<int?>("--count", "-n") { Description = "Exit after this many hits", HelpName = "N" };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--count must be at least 1.");
            }
        });
        var timeout = new Option<TimeSpan?>("--timeout", "-t")
        {
            Description = "Exit after this long: seconds, or with a unit (500ms, 30s, 5m, 1h)",
            HelpName = "DURATION",
            CustomParser = ParseDuration,
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also log the connection's progress (to stderr)" };

        var listen = new Command("listen", "Print the hits boxes publish, each once (deduplicated by event id)")
        {
            connection.Host, connection.Port, site, clientId, cleanSession, json,
            connection.Tls, connection.CaFile, connection.CertFile, connection.KeyFile, connection.User, connection.PasswordFile, count, timeout, verbose,
        };
        listen.SetAction((parse, cancellationToken) =>
        {
            var mqtt = connection.Parse(parse);
            mqtt.ClientId = parse.GetValue(clientId) ?? DefaultClientId();
            mqtt.CleanSession = parse.GetValue(cleanSession);
            mqtt.IncomingQueueCapacity = 65536;
            var settings = new StationListenSettings(
                mqtt,
                parse.GetValue(site),
                parse.GetValue(json),
                parse.GetValue(count),
                parse.GetValue(timeout),
                parse.GetValue(verbose));
            return ListenAsync(console, settings, TimeProvider.System, cancellationToken);
        });
        return new Command("station", "The police station's side: receive what the boxes publish") { listen };
    }

    internal static async Task<int> ListenAsync(CliConsole console, StationListenSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var validation = new MqttOptionsValidator().Validate(Options.DefaultName, settings.Mqtt);
        if (validation.Failed)
        {
            return console.Fail(ExitCodes.BadInput, string.Join(" ", validation.Failures).Replace("Mqtt:", "", StringComparison.Ordinal));
        }

        string filter;
        try
        {
            // AllHits checks the site is one topic level; every site is the wildcard level.
            filter = settings.Site is null ? $"{AnprTopics.Root}/+/+/hit" : AnprTopics.AllHits(settings.Site);
        }
        catch (ArgumentException ex) when (settings.Site is not null)
        {
            return console.Fail(ExitCodes.BadInput, $"--site: {ex.Message}");
        }

        var error = TextWriter.Synchronized(console.Error);
        var logger = new StationListenLogger(error, settings.Verbose ? LogLevel.Debug : LogLevel.Warning);
        var listener = new StationListener(console.Out, error, settings.Json, DedupWindow);
        using var deadline = settings.Timeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        await using (var transport = MqttTransport.Create(settings.Mqtt, settings.Mqtt.ClientId, will: null, logger, time))
        {
            transport.Start();
            transport.Subscribe(filter, MqttQos.AtLeastOnce);
            try
            {
                await foreach (var message in transport.Messages.ReadAllAsync(stop.Token))
                {
                    if (listener.Receive(message) && listener.Printed == settings.Count)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // --timeout or Ctrl-C: a normal end.
            }

            listener.Unprinted = transport.Messages.Count;
            if (transport.MessagesDropped > 0)
            {
                error.WriteLine($"edge-anpr: {transport.MessagesDropped} message(s) were dropped because printing fell behind");
            }
        }

        error.WriteLine(listener.Summary());
        if (settings.Count is { } wanted && listener.Printed < wanted)
        {
            return console.Fail(ExitCodes.Failure, string.Create(
                CultureInfo.InvariantCulture, $"only {listener.Printed} of {wanted} hit(s) arrived within {settings.Timeout?.TotalSeconds:0.###} s"));
        }

        return ExitCodes.Ok;
    }

    /// <summary><c>90</c> (seconds), <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, or <c>hh:mm:ss</c>.</summary>
    internal static TimeSpan? ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        if (TryParseDuration(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        result.AddError($"'{text}' is not a duration: use seconds (90) or a unit (500ms, 30s, 5m, 1h).");
        return null;
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("", 1)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && double.IsFinite(value))
            {
                duration = TimeSpan.FromSeconds(value * seconds);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
    }

    private static string DefaultClientId()
    {
        var name = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
        return $"edge-anpr-station-{name}"[..Math.Min(128, 18 + name.Length)];
    }
}

internal sealed record StationListenSettings(MqttOptions Mqtt, string? Site, bool Json, int? Count, TimeSpan? Timeout, bool Verbose);

/// <summary>What <c>station listen</c> does with each message: parse, drop duplicates, print.</summary>
internal sealed class StationListener(TextWriter output, TextWriter error, bool json, int window)
{
    private readonly EventIdWindow _seen = new(window);

    public int Printed { get; private set; }

    public int Duplicates { get; private set; }

    public int Invalid { get; private set; }

    /// <summary>Messages received but not read when the listener stopped (after <c>--count</c> was reached).</summary>
    public int Unprinted { get; set; }

    /// <summary>Prints the hit in <paramref name="message"/> unless it was seen before; true when printed.</summary>
    public bool Receive(MqttMessage message)
    {
        HitEvent hit;
        try
        {
            hit = HitPayload.Deserialize(message.Payload.Span);
        }
        catch (JsonException ex)
        {
            Invalid++;
            error.WriteLine($"edge-anpr: skipped a message on {message.Topic} that is not a v1 hit event: {ex.Message}");
            return false;
        }

        if (!_seen.Add(hit.EventId))
        {
            Duplicates++;
            return false;
        }

        output.WriteLine(json ? HitLine.Json(hit, message.Topic) : HitLine.Text(hit));
        output.Flush();
        Printed++;
        return true;
    }

    public string Summary() => string.Create(
        CultureInfo.InvariantCulture,
        $"edge-anpr: {Printed} hit(s) printed, {Duplicates} duplicate(s) dropped, {Invalid} invalid message(s) skipped{(Unprinted > 0 ? $", {Unprinted} received after the count was reached not printed" : "")}");
}

/// <summary>The most recent <c>capacity</c> event ids, for deduplication in bounded memory: the oldest is forgotten first.</summary>
internal sealed class EventIdWindow(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Count => _ids.Count;

    /// <summary>True when <paramref name="eventId"/> was not among the remembered ids (it is remembered now).</summary>
    public bool Add(string eventId)
    {
        if (!_ids.Add(eventId))
        {
            return false;
        }

        _order.Enqueue(eventId);
        if (_order.Count > capacity)
        {
            _ids.Remove(_order.Dequeue());
        }

        return true;
    }
}

/// <summary>Log lines of the listener's MQTT connection, to stderr: warnings and up, everything with <c>--verbose</c>.</summary>
internal sealed class StationListenLogger(TextWriter error, LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            error.WriteLine($"{logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.Message})")}");
        }
    }
}
