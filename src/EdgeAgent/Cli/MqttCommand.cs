using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Shared.Topics;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr mqtt test</c>: connects with the configured broker settings, publishes to a test topic
/// (<c>anpr/v1/{site}/{camera}/test/{random}</c>), receives it back and reports the round trip, the protocol and, over
/// TLS, the session and the broker's certificate. See <see cref="MqttRoundTrip"/>.
/// </summary>
internal static class MqttCommand
{
    /// <summary>How long the test waits for each of connecting and the round trip unless told.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Command Create(CliConsole console) => Create(console, TimeProvider.System, ToolTerminal.Console);

    internal static Command Create(CliConsole console, TimeProvider time, ToolTerminal terminal) =>
        new("mqtt", "Test the broker link with the configured settings. " + ToolExit.Help) { Test(console, time, terminal) };

    private static Command Test(CliConsole console, TimeProvider time, ToolTerminal terminal)
    {
        var timeout = new Option<string?>("--timeout") { Description = "How long to wait to connect and for the message to come back (default 10s)", HelpName = "AGE" };
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command(
            "test",
            "Connect, subscribe to a test topic, publish to it and receive it back; report the round trip, protocol, and TLS version, cipher and " +
            "server certificate. Exit codes: 0 ok, 1 connected but the message did not come back, 2 no connection (down, refused, credentials, " +
            "TLS: the line says which), 64 usage, 65 bad configuration (MQTT off, unreadable files).")
        {
            timeout, config, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var wait = DefaultTimeout;
            if (parse.GetValue(timeout) is { } text && (!OutboxCommand.TryParseAge(text, out wait) || wait <= TimeSpan.Zero))
            {
                return console.Fail(ToolExit.BadInput, $"--timeout '{text}' is not a duration: write it as 10s or 1m.");
            }

            if (ValidatedConfiguration.LoadSections(
                    console,
                    parse.GetValue(config),
                    new OptionsEntry<MqttOptions, MqttOptionsValidator>(MqttOptions.SectionName),
                    new OptionsEntry<SiteOptions, SiteOptionsValidator>(SiteOptions.SectionName)) is not { } configuration)
            {
                return ToolExit.BadInput;
            }

            var mqtt = configuration.GetSection(MqttOptions.SectionName).Get<MqttOptions>() ?? new MqttOptions();
            var site = configuration.GetSection(SiteOptions.SectionName).Get<SiteOptions>() ?? new SiteOptions();
            var camera = configuration[$"{CameraOptions.SectionName}:{nameof(CameraOptions.Id)}"] is { Length: > 0 } id ? id : new CameraOptions().Id;
            if (!mqtt.IsEnabled)
            {
                return console.Fail(ToolExit.BadInput, "MQTT is off (Mqtt:Host is empty): there is no broker to test.");
            }

            string topic;
            try
            {
                topic = $"{AnprTopics.Hit(site.Id, camera)[..^"hit".Length]}test/{Guid.NewGuid().ToString("N")[..8]}";
            }
            catch (ArgumentException ex)
            {
                return console.Fail(ToolExit.BadInput, ex.Message);
            }

            MqttRoundTripResult result;
            try
            {
                result = await MqttRoundTrip.RunAsync(mqtt, mqtt.ClientIdFor(site.Id, camera) + "-test", topic, time, wait, cancellationToken);
            }
            catch (MqttException ex)
            {
                return console.Fail(ToolExit.BadInput, ex.Message);
            }

            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(MqttTestJson.Of(result, time.GetUtcNow()), ToolJson.Default.MqttTestJson));
            }
            else
            {
                Print(console.Out, terminal, result, time.GetUtcNow());
            }

            return result.RoundTrip ? ToolExit.Ok : result.Connected ? ToolExit.Failed : ToolExit.Unreachable;
        });
        return command;
    }

    private static void Print(TextWriter output, ToolTerminal terminal, MqttRoundTripResult result, DateTimeOffset now)
    {
        var protocol = Protocol(result.Protocol);
        output.WriteLine(result.Connected
            ? string.Create(CultureInfo.InvariantCulture, $"{terminal.Paint("ok  ", true)} connected to {result.Endpoint} ({protocol}) as {result.ClientId} in {result.ConnectMilliseconds:0} ms")
            : $"{terminal.Paint("FAIL", false)} {result.Endpoint} ({protocol}): {result.Problem}");
        if (result.Tls is { } tls)
        {
            var days = (tls.NotAfter - now).TotalDays;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{terminal.Paint(days > 30 ? "ok  " : "warn", days > 30)} {tls.Protocol}, {tls.CipherSuite}; server certificate {tls.Subject}, issued by {tls.Issuer}, valid until {tls.NotAfter:yyyy-MM-dd HH:mm'Z'} ({days:0} days)"));
        }

        if (result.Connected)
        {
            output.WriteLine(result.RoundTrip
                ? string.Create(CultureInfo.InvariantCulture, $"{terminal.Paint("ok  ", true)} round trip on {result.Topic} at QoS 1: {result.RoundTripMilliseconds:0.0} ms ({result.ProbesSent} sent)")
                : $"{terminal.Paint("FAIL", false)} {result.Problem}");
        }
    }

    internal static string Protocol(MqttProtocolVersion version) => version switch
    {
        MqttProtocolVersion.V31 => "MQTT 3.1",
        MqttProtocolVersion.V5 => "MQTT 5",
        _ => "MQTT 3.1.1",
    };
}

internal sealed record MqttTlsJson(string Protocol, string CipherSuite, string Subject, string Issuer, DateTimeOffset NotAfter, double DaysLeft);

internal sealed record MqttTestJson(
    bool Ok, bool Connected, string Endpoint, string Protocol, string ClientId, string Topic, double? ConnectMs, double? RoundTripMs, int ProbesSent, MqttTlsJson? Tls, string? Problem)
{
    public static MqttTestJson Of(MqttRoundTripResult result, DateTimeOffset now) => new(
        result.RoundTrip, result.Connected, result.Endpoint, MqttCommand.Protocol(result.Protocol), result.ClientId, result.Topic,
        result.ConnectMilliseconds, result.RoundTripMilliseconds, result.ProbesSent,
        result.Tls is { } tls ? new MqttTlsJson(tls.Protocol, tls.CipherSuite, tls.Subject, tls.Issuer, tls.NotAfter, Math.Round((tls.NotAfter - now).TotalDays, 1)) : null,
        result.Problem);
}
