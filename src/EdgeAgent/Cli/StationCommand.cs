using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Station;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Topics;
using EdgeAnpr.Shared.Watchlist;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr station publish-watchlist CSV --key PRIVATE.pem --site S --host H</c>: what a station without other
/// software runs to keep its boxes' lists. Signs the CSV as a snapshot (published retained, so a box that connects
/// later gets it) or, with <c>--delta</c>, as a delta on <c>--base-version</c> (not retained: a box that missed it
/// waits for the next snapshot); QoS 1, and it waits for the broker's PUBACK. Exits non-zero with one line on failure.
/// </summary>
internal static class StationCommand
{
    /// <summary>
    /// Adds <c>publish-watchlist</c> to the root's <c>station</c> command (<see cref="StationListenCommand"/> makes it,
    /// with <c>listen</c>), or adds a <c>station</c> command holding it when there is none.
    /// </summary>
    public static void AddTo(Command root, CliConsole console) => AddTo(root, console, TimeProvider.System);

    internal static void AddTo(Command root, CliConsole console, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Subcommands.FirstOrDefault(c => c.Name == "station") is { } station)
        {
            station.Subcommands.Add(Publish(console, time));
        }
        else
        {
            root.Subcommands.Add(new Command("station", "The police station's side: tools for a station that runs no other software") { Publish(console, time) });
        }
    }

    private static Command Publish(CliConsole console, TimeProvider time)
    {
        var csv = new Argument<string>("csv") { Description = "The list (snapshot) or the upserts (delta): header plate,region,reason,priority,valid_until, optionally category, valid_from, id" };
        var key = new Option<string>("--key") { Description = "The station's private key (station-private.pem from 'keys generate')", HelpName = "FILE", Required = true };
        var site = new Option<string>("--site") { Description = "The site id (Site:Id of the boxes)", HelpName = "SITE", Required = true };
        var connection = new StationConnectionOptions(
            host: ("The MQTT broker (required unless --out is given)", Required: false),
            tls: "Connect over TLS (trusting the system CAs unless --ca-file)", caFile: "PEM CA bundle for the broker's certificate (turns TLS on)",
            keyFile: ("--cert-key-file", "PEM private key of --cert-file"),
            passwordFile: "File whose first line is the broker password (mode 600)");
        var version = new Option<long?>("--version") { Description = "The new list version (default: a snapshot takes the current Unix time in seconds, a delta --base-version + 1)", HelpName = "N" };
        var delta = new Option<bool>("--delta") { Description = "Publish a delta (the CSV rows are upserts) instead of a snapshot" };
        var baseVersion = new Option<long?>("--base-version") { Description = "The version the delta applies on (required with --delta)", HelpName = "N" };
        var remove = new Option<string[]>("--remove") { Description = "An entry id a delta removes (repeat for more)", HelpName = "ID" };
        var region = WatchlistCommand.RegionOption("The region of rows without one and without a Persian letter");
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the connection and the broker's acknowledgement", HelpName = "SECONDS", DefaultValueFactory = _ => 10 };
        var output = new Option<string?>("--out", "-o") { Description = "Also write the signed message to this file (for mosquitto_pub -f, or to publish later)", HelpName = "FILE" };
        var json = CommonOptions.Json();
        var command = new Command("publish-watchlist", "Sign a watchlist CSV and publish it to the boxes of a site as a snapshot or a delta")
        {
            csv, key, site, connection.Host, connection.Port, version, delta, baseVersion, remove, region,
            connection.Tls, connection.CaFile, connection.CertFile, connection.KeyFile, connection.User, connection.PasswordFile, timeout, output, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(csv)!;
            var siteId = parse.GetValue(site)!;
            var isDelta = parse.GetValue(delta);
            var removals = parse.GetValue(remove) ?? [];
            var brokerHost = parse.GetValue(connection.Host);
            var outFile = parse.GetValue(output);
            if (Problem(siteId, isDelta, parse.GetValue(baseVersion), removals, brokerHost, outFile, parse.GetValue(timeout)) is { } problem)
            {
                return console.Fail(ExitCodes.BadInput, problem);
            }

            if (!File.Exists(path))
            {
                return console.Fail(ExitCodes.BadInput, $"{path} does not exist.");
            }

            if (!WatchlistCommand.TryRegion(console, parse.GetValue(region), out var defaultRegion))
            {
                return ExitCodes.BadInput;
            }

            var rows = WatchlistCsv.ReadFile(path, defaultRegion);
            if (!rows.Ok)
            {
                return WatchlistCommand.ReportCsvProblems(console, path, rows, "nothing was published");
            }

            ECDsa signingKey;
            try
            {
                signingKey = StationKeyFiles.ReadPrivateKey(parse.GetValue(key)!);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                return console.Fail(ExitCodes.BadInput, $"--key {parse.GetValue(key)}: {ex.Message.TrimEnd('.')}.");
            }

            using (signingKey)
            {
                var keyId = StationKey.IdOf(signingKey);
                var items = StationWatchlist.Items(rows.Rows);
                var now = time.GetUtcNow();
                var body = isDelta
                    ? WatchlistBody.Delta(siteId, parse.GetValue(baseVersion)!.Value, parse.GetValue(version) ?? parse.GetValue(baseVersion)!.Value + 1, now, keyId, items, removals)
                    : WatchlistBody.Snapshot(siteId, parse.GetValue(version) ?? now.ToUnixTimeSeconds(), now, keyId, items);
                if (body.Problem() is { } bodyProblem)
                {
                    return console.Fail(ExitCodes.BadInput, $"{path}: nothing was published: {bodyProblem}.");
                }

                var payload = WatchlistMessage.Sign(body, signingKey);
                if (outFile is not null)
                {
                    await File.WriteAllBytesAsync(outFile, payload, cancellationToken);
                }

                var topic = isDelta ? AnprTopics.WatchlistDelta(siteId) : AnprTopics.WatchlistSnapshot(siteId);
                string? broker = null;
                if (brokerHost is not null)
                {
                    var mqtt = connection.Parse(parse);
                    mqtt.CleanSession = true;
                    if (new MqttOptionsValidator().Validate(Options.DefaultName, mqtt) is { Failed: true } invalid)
                    {
                        return console.Fail(ExitCodes.BadInput, string.Join(" ", invalid.Failures));
                    }

                    try
                    {
                        await StationPublisher.PublishAsync(mqtt, topic, payload, retain: !isDelta, TimeSpan.FromSeconds(parse.GetValue(timeout)), time, cancellationToken);
                    }
                    catch (Exception ex) when (ex is MqttException or TimeoutException)
                    {
                        return console.Fail(ExitCodes.Failure, $"{body.Kind} version {body.Version} NOT published: {ex.Message}");
                    }

                    broker = string.Create(CultureInfo.InvariantCulture, $"{mqtt.Host}:{mqtt.Port}");
                }

                var entries = (body.Entries ?? body.Upserts)!.Count;
                console.Out.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(
                        new StationPublishJson(body.Kind, siteId, body.Version, body.BaseVersion, entries, removals.Length, keyId, payload.Length, broker is null ? null : topic, broker, outFile),
                        WatchlistCliJson.Default.StationPublishJson)
                    : Summary(body, entries, removals.Length, keyId, payload.Length, broker is null ? null : $"{topic} at {broker}", outFile));
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static string? Problem(string site, bool delta, long? baseVersion, string[] removals, string? host, string? outFile, int timeout)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(site, "^[A-Za-z0-9_-]{1,64}$"))
        {
            return $"--site '{site}' must be 1-64 letters, digits, '-' or '_' (it is part of MQTT topics).";
        }

        if (delta != baseVersion.HasValue)
        {
            return delta ? "--delta needs --base-version: the version the boxes hold before it." : "--base-version goes with --delta.";
        }

        if (!delta && removals.Length > 0)
        {
            return "--remove goes with --delta: a snapshot is the whole list, so leave the entry out instead.";
        }

        if (host is null && outFile is null)
        {
            return "give --host (the MQTT broker) or --out FILE.";
        }

        return timeout is < 1 or > 600 ? "--timeout must be 1 to 600 seconds." : null;
    }

    private static string Summary(WatchlistBody body, int entries, int removals, string keyId, int bytes, string? where, string? file)
    {
        var what = body.BaseVersion is { } from
            ? string.Create(CultureInfo.InvariantCulture, $"delta {from} -> {body.Version} ({entries} upsert(s), {removals} removal(s))")
            : string.Create(CultureInfo.InvariantCulture, $"snapshot version {body.Version} ({entries} {(entries == 1 ? "entry" : "entries")})");
        var outcome = where is null ? "signed" : "published";
        return string.Create(CultureInfo.InvariantCulture, $"{outcome} {what}, key {keyId}, {bytes} bytes") +
            (where is null ? "" : $", to {where}: acknowledged by the broker") + (file is null ? "" : $"; written to {file}");
    }
}
