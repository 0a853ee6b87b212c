using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr outbox list|count|retry|purge</c>: the hits waiting on this box for the broker's acknowledgement. Works
/// beside the running agent (each change one SQLite transaction that waits for the agent's, see
/// <see cref="OutboxMaintenance"/>). <c>retry</c> and <c>purge</c> are audited: a row in the database's audit table
/// (actor <c>local:&lt;user&gt;</c>, the sudo user when there is one) and a line in the system log.
/// </summary>
internal static class OutboxCommand
{
    /// <summary>How many hits <c>outbox list</c> shows unless told.</summary>
    public const int DefaultListLimit = 50;

    public static Command Create(CliConsole console) => Create(console, TimeProvider.System, ToolTerminal.Console, SyslogLine.DefaultSocket);

    internal static Command Create(CliConsole console, TimeProvider time, ToolTerminal terminal, string syslogSocket) =>
        new("outbox", "Show, resend or remove the hits waiting for the broker. " + ToolExit.Help)
        {
            List(console, time),
            Count(console, time),
            Retry(console, time, syslogSocket),
            Purge(console, time, terminal, syslogSocket),
        };

    private static Command List(CliConsole console, TimeProvider time)
    {
        var limit = new Option<int>("--limit", "-n") { Description = $"Show at most this many (default {DefaultListLimit})", DefaultValueFactory = _ => DefaultListLimit };
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command("list", "List the waiting hits, oldest first: seq, stored time, age, kind, plate, camera, attempts, size. " + ToolExit.Help)
        {
            limit, config, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(limit) <= 0)
            {
                return console.Fail(ToolExit.BadInput, $"--limit is {parse.GetValue(limit)}; it must be 1 or more.");
            }

            using var outbox = Open(console, parse.GetValue(config), time);
            if (outbox is null)
            {
                return ToolExit.BadInput;
            }

            var now = time.GetUtcNow();
            var rows = outbox.List(parse.GetValue(limit));
            if (parse.GetValue(json))
            {
                foreach (var row in rows)
                {
                    console.Out.WriteLine(JsonSerializer.Serialize(OutboxHitJson.Of(row, now), ToolJson.Default.OutboxHitJson));
                }

                return ToolExit.Ok;
            }

            var summary = outbox.Summary();
            console.Out.WriteLine("SEQ      STORED (UTC)          AGE       KIND  PLATE         CAMERA        ATTEMPTS  BYTES    EVENT");
            foreach (var row in rows)
            {
                var hit = OutboxHitJson.Of(row, now);
                console.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{hit.Seq,-8} {WatchlistCommandOutput.Time(hit.StoredAt),-20}  {Age(hit.AgeSeconds),-9} {hit.Kind,-5} {hit.Plate ?? "?",-13} {hit.Camera ?? "?",-13} {hit.Attempts,8}  {hit.Bytes,-8} {hit.EventId}"));
            }

            console.Out.WriteLine(rows.Count < summary.Items
                ? $"{rows.Count} of {summary.Items} waiting hits shown (--limit)"
                : $"{summary.Items} waiting {(summary.Items == 1 ? "hit" : "hits")}");
            return ToolExit.Ok;
        });
        return command;
    }

    private static Command Count(CliConsole console, TimeProvider time)
    {
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command("count", "How many hits wait, their size, and how long the oldest has waited. " + ToolExit.Help) { config, json };
        command.SetAction(parse =>
        {
            using var outbox = Open(console, parse.GetValue(config), time);
            if (outbox is null)
            {
                return ToolExit.BadInput;
            }

            var summary = outbox.Summary();
            var age = summary.OldestCreatedAt is { } oldest ? Math.Max(0, (time.GetUtcNow() - oldest).TotalSeconds) : (double?)null;
            console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new OutboxCountJson(summary.Items, summary.Bytes, summary.OldestCreatedAt, age), ToolJson.Default.OutboxCountJson)
                : summary.Items == 0
                    ? "0 hits waiting"
                    : string.Create(CultureInfo.InvariantCulture, $"{summary.Items} {(summary.Items == 1 ? "hit" : "hits")} waiting, {summary.Bytes} bytes; the oldest stored {WatchlistCommandOutput.Time(summary.OldestCreatedAt)}, {Age(age)} ago"));
            return ToolExit.Ok;
        });
        return command;
    }

    private static Command Retry(CliConsole console, TimeProvider time, string syslogSocket)
    {
        var ids = new Argument<string[]>("id") { Description = "Seq (from outbox list) or event id of the hits to resend", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Resend every waiting hit" };
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command(
            "retry",
            "Make waiting hits go out now: each moves to the end of the outbox with its attempts reset, and the running agent publishes it within a " +
            "quarter of a second when its broker link is up (while the link is down nothing can go out). " + ToolExit.Help)
        {
            ids, all, config, json,
        };
        command.SetAction(parse =>
        {
            var named = parse.GetValue(ids) ?? [];
            if ((named.Length > 0) == parse.GetValue(all))
            {
                return console.Fail(ToolExit.Usage, "outbox retry: name the hits (seq or event id) or give --all, not both.");
            }

            using var outbox = Open(console, parse.GetValue(config), time);
            if (outbox is null)
            {
                return ToolExit.BadInput;
            }

            if (Select(console, outbox, named, all: parse.GetValue(all), olderThan: null) is not { } rows)
            {
                return ToolExit.BadInput;
            }

            IReadOnlyList<OutboxChange> changes;
            try
            {
                changes = outbox.Requeue(rows, WatchlistCommandContext.Actor);
            }
            catch (Exception ex) when (ex is StorageException or SqliteException)
            {
                return console.Fail(ToolExit.Failed, $"outbox retry: nothing was changed: {ex.Message}");
            }

            SyslogLine.TrySend($"outbox retry by {WatchlistCommandContext.Actor}: {Describe(changes)}", syslogSocket);
            console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(OutboxChangeJson.Of("retry", changes), ToolJson.Default.OutboxChangeJson)
                : $"requeued {Describe(changes)}; the running agent publishes {(changes.Count == 1 ? "it" : "them")} when its broker link is up");
            return ToolExit.Ok;
        });
        return command;
    }

    private static Command Purge(CliConsole console, TimeProvider time, ToolTerminal terminal, string syslogSocket)
    {
        var ids = new Argument<string[]>("id") { Description = "Seq (from outbox list) or event id of the hits to remove", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Remove every waiting hit" };
        var olderThan = new Option<string?>("--older-than") { Description = "Remove the hits stored longer ago than this: 7d, 12h, 30m, 90s", HelpName = "AGE" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask: needed when standard input is not a terminal" };
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command(
            "purge",
            "Remove waiting hits for good (they never reach the station). Asks to type yes on a terminal; elsewhere needs --yes, and without it " +
            "refuses (64) and changes nothing. Audited: a row in the database's audit table and a line in the system log. " + ToolExit.Help)
        {
            ids, all, olderThan, yes, config, json,
        };
        command.SetAction(parse =>
        {
            var named = parse.GetValue(ids) ?? [];
            var age = parse.GetValue(olderThan);
            if ((named.Length > 0 ? 1 : 0) + (parse.GetValue(all) ? 1 : 0) + (age is null ? 0 : 1) != 1)
            {
                return console.Fail(ToolExit.Usage, "outbox purge: name the hits (seq or event id), or give --all, or --older-than AGE: exactly one of them.");
            }

            TimeSpan? minimumAge = null;
            if (age is not null)
            {
                if (!TryParseAge(age, out var parsed))
                {
                    return console.Fail(ToolExit.BadInput, $"--older-than '{age}' is not an age: write it as 7d, 12h, 30m or 90s.");
                }

                minimumAge = parsed;
            }

            using var outbox = Open(console, parse.GetValue(config), time);
            if (outbox is null)
            {
                return ToolExit.BadInput;
            }

            if (Select(console, outbox, named, parse.GetValue(all), minimumAge is { } m ? time.GetUtcNow() - m : null) is not { } rows)
            {
                return ToolExit.BadInput;
            }

            if (rows.Count == 0)
            {
                console.Out.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(OutboxChangeJson.Of("purge", []), ToolJson.Default.OutboxChangeJson)
                    : "nothing to remove");
                return ToolExit.Ok;
            }

            var what = $"{rows.Count} waiting {(rows.Count == 1 ? "hit" : "hits")} (seq {string.Join(", ", rows.Take(20).Select(r => r.Seq))}{(rows.Count > 20 ? ", ..." : "")})";
            if (!parse.GetValue(yes) && !terminal.Confirm(console.Error, $"This removes {what} for good; the station will never get them."))
            {
                return console.Fail(
                    ToolExit.Usage,
                    terminal.IsInteractive
                        ? "outbox purge: not confirmed; nothing was removed."
                        : $"outbox purge would remove {what}; standard input is not a terminal, so confirm with --yes. Nothing was removed.");
            }

            var selector = age is not null ? $"--older-than {age}" : parse.GetValue(all) ? "--all" : string.Join(' ', named);
            IReadOnlyList<OutboxChange> removed;
            try
            {
                removed = outbox.Purge(rows, WatchlistCommandContext.Actor, selector);
            }
            catch (Exception ex) when (ex is StorageException or SqliteException)
            {
                return console.Fail(ToolExit.Failed, $"outbox purge: nothing was removed: {ex.Message}");
            }

            var line = $"outbox purge ({selector}) by {WatchlistCommandContext.Actor} removed {Describe(removed)}";
            SyslogLine.TrySend(line, syslogSocket);
            console.Error.WriteLine($"edge-anpr: {line}");
            console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(OutboxChangeJson.Of("purge", removed), ToolJson.Default.OutboxChangeJson)
                : $"removed {removed.Count} {(removed.Count == 1 ? "hit" : "hits")}");
            return ToolExit.Ok;
        });
        return command;
    }

    /// <summary>The hits named, every hit, or those stored before a time; null after naming the ids that match nothing.</summary>
    private static IReadOnlyList<OutboxRow>? Select(CliConsole console, OutboxMaintenance outbox, string[] ids, bool all, DateTimeOffset? olderThan)
    {
        if (all || olderThan is not null)
        {
            return outbox.StoredBefore(olderThan);
        }

        var rows = outbox.Find(ids, out var unknown);
        if (unknown.Count > 0)
        {
            console.Fail(0, $"no waiting hit has the id {string.Join(", ", unknown)} (see outbox list); nothing was changed.");
            return null;
        }

        return rows;
    }

    /// <summary>"2 hits: seq 4 (event e1), seq 9 (event e2)", the ids in full: the audit trail names every one.</summary>
    private static string Describe(IReadOnlyList<OutboxChange> changes) =>
        $"{changes.Count} {(changes.Count == 1 ? "hit" : "hits")}" +
        (changes.Count == 0 ? "" : ": " + string.Join(", ", changes.Select(c => string.Create(CultureInfo.InvariantCulture, $"seq {c.Seq} (event {c.EventId})"))));

    /// <summary>An age as a technician types it: <c>7d</c>, <c>12h</c>, <c>30m</c>, <c>90s</c>, or a .NET TimeSpan (<c>1.00:00:00</c>).</summary>
    internal static bool TryParseAge(string text, out TimeSpan age)
    {
        age = default;
        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            age = char.ToLowerInvariant(text[^1]) switch
            {
                'd' => TimeSpan.FromDays(number),
                'h' => TimeSpan.FromHours(number),
                'm' => TimeSpan.FromMinutes(number),
                's' => TimeSpan.FromSeconds(number),
                _ => TimeSpan.MinValue,
            };
            return age >= TimeSpan.Zero;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out age) && age >= TimeSpan.Zero;
    }

    internal static string Age(double? seconds) => seconds switch
    {
        null => "-",
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0}s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds.Value / 60):0}m{seconds % 60:00}s"),
        < 86400 => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds.Value / 3600):0}h{Math.Floor(seconds.Value % 3600 / 60):00}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds.Value / 86400):0}d{Math.Floor(seconds.Value % 86400 / 3600):00}h"),
    };

    /// <summary>The outbox of the configured state directory (only <c>Storage</c> is checked), or null after saying why not.</summary>
    private static OutboxMaintenance? Open(CliConsole console, string? configPath, TimeProvider time)
    {
        if (ValidatedConfiguration.LoadSections(console, configPath, new OptionsEntry<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName)) is not { } configuration)
        {
            return null;
        }

        var storage = new StorageOptions();
        configuration.GetSection(StorageOptions.SectionName).Bind(storage);
        try
        {
            return new OutboxMaintenance(AgentDatabase.Open(storage, time, NullLogger.Instance), time);
        }
        catch (Exception ex) when (ex is StorageException or SqliteException or IOException or UnauthorizedAccessException)
        {
            console.Fail(0, $"Cannot open the database in {storage.Directory}: {ex.Message}");
            return null;
        }
    }
}

/// <summary>One waiting hit as <c>outbox list --json</c> prints it: no image, no payload, the plate and camera read from it.</summary>
internal sealed record OutboxHitJson(
    long Seq, string EventId, DateTimeOffset StoredAt, double AgeSeconds, string Kind, string? Plate, string? Camera, int Attempts, DateTimeOffset? LastAttemptAt, int Bytes)
{
    public static OutboxHitJson Of(OutboxRow row, DateTimeOffset now)
    {
        string? plate = null, camera = null;
        var kind = row.Topic.EndsWith("/read", StringComparison.Ordinal) ? "read" : "hit";
        try
        {
            var hit = HitPayload.Deserialize(row.Payload);
            (plate, camera, kind) = (hit.Plate.Text, hit.CameraId, hit.Match is null ? "read" : "hit");
        }
        catch (JsonException)
        {
            // A payload this build cannot read is still listed, by its topic.
        }

        return new OutboxHitJson(row.Seq, row.EventId, row.CreatedAt, Math.Max(0, (now - row.CreatedAt).TotalSeconds), kind, plate, camera, row.Attempts, row.LastAttemptAt, row.Bytes);
    }
}

internal sealed record OutboxCountJson(long Items, long Bytes, DateTimeOffset? OldestStoredAt, double? OldestAgeSeconds);

internal sealed record OutboxChangeJson(string Action, int Count, IReadOnlyList<long> Seqs, IReadOnlyList<string> EventIds)
{
    public static OutboxChangeJson Of(string action, IReadOnlyList<OutboxChange> changes) =>
        new(action, changes.Count, [.. changes.Select(c => c.Seq)], [.. changes.Select(c => c.EventId)]);
}
