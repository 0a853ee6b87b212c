using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Plates;
using EdgeAnpr.Shared.Watchlist;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr watchlist import|list|find|export|version</c>: the technician's view of the box's watchlist. Changes
/// (<c>import</c>) touch only local entries, in one transaction, audited as <c>local:&lt;user&gt;</c>; the station's
/// entries change only by signed sync.
/// </summary>
internal static class WatchlistCommand
{
    public static Command Create(CliConsole console) => Create(console, TimeProvider.System);

    internal static Command Create(CliConsole console, TimeProvider time) =>
        new("watchlist", "Show the box's watchlist, or add local entries from a CSV file")
        {
            Import(console, time),
            List(console, time),
            Find(console, time),
            Export(console, time),
            Version(console, time),
        };

    private static Command Import(CliConsole console, TimeProvider time)
    {
        var file = new Argument<string>("csv") { Description = "CSV file with the header plate,region,reason,priority,valid_until (all but plate optional)" };
        var replace = new Option<bool>("--replace") { Description = "Make the file the whole local list (local entries not in it are removed)" };
        var region = RegionOption("The region of rows without one and without a Persian letter");
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command("import", "Add (or with --replace, replace) local entries from a CSV file; nothing is applied if any row is bad")
        {
            file, replace, region, config, json,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                return console.Fail(ExitCodes.BadInput, $"{path} does not exist.");
            }

            if (!TryRegion(console, parse.GetValue(region), out var defaultRegion))
            {
                return ExitCodes.BadInput;
            }

            var csv = WatchlistCsv.ReadFile(path, defaultRegion);
            if (!csv.Ok)
            {
                return ReportCsvProblems(console, path, csv, "nothing was imported");
            }

            using var context = WatchlistCommandContext.Open(console, parse.GetValue(config), time);
            if (context is null)
            {
                return ExitCodes.BadInput;
            }

            var entries = csv.Rows.Select(LocalEntry).ToArray();
            int replaced;
            try
            {
                replaced = context.Store.ImportLocal(entries, parse.GetValue(replace), WatchlistCommandContext.Actor, Path.GetFullPath(path));
            }
            catch (Exception ex) when (ex is StorageException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
            {
                return console.Fail(ExitCodes.Failure, $"{path}: nothing was imported: {ex.Message}");
            }

            console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new WatchlistImportJson(Path.GetFullPath(path), entries.Length, replaced, parse.GetValue(replace)), WatchlistCliJson.Default.WatchlistImportJson)
                : $"imported {entries.Length} local {Noun(entries.Length)} from {path}" +
                  (parse.GetValue(replace) ? $" ({replaced} local {Noun(replaced)} replaced)" : "") +
                  $"; a running service picks them up within {context.Options.ReloadCheckInterval.TotalSeconds:0} s");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliConsole console, TimeProvider time)
    {
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command("list", "List every entry, station and local, in id order") { config, json };
        command.SetAction(parse =>
        {
            using var context = WatchlistCommandContext.Open(console, parse.GetValue(config), time);
            if (context is null)
            {
                return ExitCodes.BadInput;
            }

            var asJson = parse.GetValue(json);
            if (!asJson)
            {
                console.Out.WriteLine(WatchlistCommandOutput.ListHeader);
            }

            // Paged, so a 100,000-entry list is never held whole.
            string? after = null;
            while (context.Store.List(1000, after) is { Count: > 0 } page)
            {
                foreach (var entry in page)
                {
                    console.Out.WriteLine(asJson ? WatchlistCommandOutput.Json(entry) : WatchlistCommandOutput.Line(entry));
                }

                after = page[^1].Id;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Find(CliConsole console, TimeProvider time)
    {
        var plate = new Argument<string>("plate") { Description = "A plate as read or typed (ABC-123, ۸۱ و ۶۳۸ ۱۳...)" };
        var region = RegionOption("The plate's region (default: ir when it has a Persian letter, else latin)");
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command("find", "Show the entries a read of this plate would hit, exactly or within the configured tolerance, and how")
        {
            plate, region, config, json,
        };
        command.SetAction(parse =>
        {
            var text = parse.GetValue(plate)!;
            var given = parse.GetValue(region);
            if (!TryRegion(console, given, out var plateRegion))
            {
                return ExitCodes.BadInput;
            }

            if (given is null && text.Any(c => PlateAlphabet.Fold(c) is { } f && PlateAlphabet.IsIranianLetter(f)))
            {
                plateRegion = PlateRegion.Ir;
            }

            if (!PlateText.TryParse(text, plateRegion, out var read, out var problem))
            {
                return console.Fail(ExitCodes.BadInput, problem);
            }

            using var context = WatchlistCommandContext.Open(console, parse.GetValue(config), time);
            if (context is null)
            {
                return ExitCodes.BadInput;
            }

            var now = time.GetUtcNow();
            var index = WatchlistIndex.Build(context.Store.List(), WatchlistTolerance.From(context.Options));
            var matches = index.MatchAll(read.Value, now, includeInactive: true);
            foreach (var match in matches)
            {
                var state = WatchlistCommandOutput.State(match.Entry, now);
                console.Out.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(
                        new WatchlistFindJson(match.Read, match.Kind == WatchlistMatchKind.Exact ? "exact" : "tolerant", match.How,
                            [.. match.Edits.Select(e => e.ToString())], state, WatchlistEntryJson.Of(match.Entry)),
                        WatchlistCliJson.Default.WatchlistFindJson)
                    : $"{match.How,-28} {WatchlistCommandOutput.Line(match.Entry)}  [{state}]");
            }

            if (matches.Count == 0 && !parse.GetValue(json))
            {
                console.Out.WriteLine($"no entry matches {read.Value} ({Entries(index.Count)}; tolerance {index.Tolerance})");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export(CliConsole console, TimeProvider time)
    {
        var output = new Option<string?>("--out", "-o") { Description = "Write to this file instead of standard output", HelpName = "FILE" };
        var config = CommonOptions.Config();
        var command = new Command("export", "Write the whole list as JSON Lines: the sync state first, then one entry per line") { output, config };
        command.SetAction(parse =>
        {
            using var context = WatchlistCommandContext.Open(console, parse.GetValue(config), time);
            if (context is null)
            {
                return ExitCodes.BadInput;
            }

            if (parse.GetValue(output) is { } path)
            {
                using var file = File.Create(path);
                var count = context.Store.Export(file);
                console.Error.WriteLine($"exported {count} entries to {path}");
                return ExitCodes.Ok;
            }

            using var buffer = new MemoryStream();
            context.Store.Export(buffer);
            console.Out.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Version(CliConsole console, TimeProvider time)
    {
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command("version", "Show the station list version held, when and with which key it was applied, and the entry counts") { config, json };
        command.SetAction(parse =>
        {
            using var context = WatchlistCommandContext.Open(console, parse.GetValue(config), time);
            if (context is null)
            {
                return ExitCodes.BadInput;
            }

            var state = context.Store.CurrentVersion;
            int station = 0, local = 0;
            string? after = null;
            while (context.Store.List(5000, after) is { Count: > 0 } page)
            {
                station += page.Count(e => e.Source == WatchlistSource.Station);
                local += page.Count(e => e.Source == WatchlistSource.Local);
                after = page[^1].Id;
            }

            console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(
                    new WatchlistVersionJson(state?.Version, state?.SnapshotHash, state?.KeyId, state?.AppliedAt, station + local, station, local),
                    WatchlistCliJson.Default.WatchlistVersionJson)
                : (state is null
                    ? "no station list yet (never synced)"
                    : string.Create(CultureInfo.InvariantCulture, $"version {state.Version}, applied {WatchlistCommandOutput.Time(state.AppliedAt)}, signed by key {state.KeyId} ({state.SnapshotHash})")) +
                  $"; {Entries(station + local)} ({station} station, {local} local)");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A technician's entry: id <c>local-</c> + the row's id or <c>{region}-{plate}</c>, so importing a file twice changes nothing.</summary>
    private static WatchlistEntry LocalEntry(WatchlistCsvRow row)
    {
        var id = row.Id ?? WatchlistItem.DerivedId(row.Plate);
        return new WatchlistEntry(
            id.StartsWith(WatchlistItem.LocalIdPrefix, StringComparison.Ordinal) ? id : WatchlistItem.LocalIdPrefix + id,
            row.Plate.Value, row.Plate.Region.Code(), row.Reason, row.Category, row.Priority, row.ValidFrom, row.ValidUntil, WatchlistSource.Local);
    }

    private static string Noun(int count) => count == 1 ? "entry" : "entries";

    private static string Entries(int count) => string.Create(CultureInfo.InvariantCulture, $"{count} {Noun(count)}");

    internal static Option<string?> RegionOption(string description) => new("--region")
    {
        Description = description + "; ir, kz, ru or latin",
        HelpName = "REGION",
    };

    internal static bool TryRegion(CliConsole console, string? code, out PlateRegion region)
    {
        region = PlateRegion.Latin;
        if (code is null || PlateRegions.TryParse(code, out region))
        {
            return true;
        }

        console.Fail(0, $"--region '{code}' is not one of ir, kz, ru, latin.");
        return false;
    }

    /// <summary>Prints each problem of a bad file as <c>FILE: line N: ...</c> (the first <see cref="WatchlistCommandOutput.MaxProblemsShown"/>), then a summary.</summary>
    internal static int ReportCsvProblems(CliConsole console, string path, WatchlistCsvResult csv, string consequence)
    {
        foreach (var problem in csv.Errors.Take(WatchlistCommandOutput.MaxProblemsShown))
        {
            console.Error.WriteLine($"{path}: {problem}");
        }

        if (csv.Errors.Count > WatchlistCommandOutput.MaxProblemsShown)
        {
            console.Error.WriteLine($"{path}: ... and {csv.Errors.Count - WatchlistCommandOutput.MaxProblemsShown} more");
        }

        return console.Fail(ExitCodes.BadInput, $"{path}: {csv.Errors.Count} problem(s); {consequence}.");
    }
}
