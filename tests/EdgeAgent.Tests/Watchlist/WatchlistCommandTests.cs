using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Cli;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;

namespace EdgeAnpr.Agent.Tests.Watchlist;

/// <summary><c>edge-anpr watchlist import|list|find|export|version</c> on a real database in a temporary state directory.</summary>
public sealed class WatchlistCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-watchlist-cli-").FullName;
    private readonly string _config;

    public WatchlistCommandTests()
    {
        _config = Write("edge-anpr.json", $$"""{ "Storage": { "Directory": "{{Path.Combine(_directory, "state")}}" } }""");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Import_adds_local_entries_and_list_find_export_version_show_them()
    {
        var csv = Write("list.csv", "plate,region,reason,priority,valid_until\nAB-0123,latin,stolen,1,2099-12-31\n\"81 و 638 13\",,wanted,2,\n");

        var imported = await CliRunner.RunAsync("watchlist", "import", csv, "--config", _config);

        Assert.Equal(ExitCodes.Ok, imported.ExitCode);
        Assert.Contains("imported 2 local entries", imported.Output, StringComparison.Ordinal);

        var list = await CliRunner.RunAsync("watchlist", "list", "--config", _config);
        Assert.Equal(3, list.OutputLines.Length);
        Assert.Contains(list.OutputLines, l => l.StartsWith("local-latin-AB0123", StringComparison.Ordinal) && l.Contains("2100-01-01 00:00Z", StringComparison.Ordinal));
        Assert.Contains(list.OutputLines, l => l.StartsWith("local-ir-81و63813", StringComparison.Ordinal) && l.Contains("local", StringComparison.Ordinal));

        var json = await CliRunner.RunAsync("watchlist", "list", "--json", "--config", _config);
        using (var latin = JsonDocument.Parse(json.OutputLines[1]))
        {
            Assert.Equal("local-latin-AB0123", latin.RootElement.GetProperty("id").GetString());
            Assert.Equal("AB0123", latin.RootElement.GetProperty("plate").GetString());
            Assert.Equal(1, latin.RootElement.GetProperty("priority").GetInt32());
            Assert.Equal("local", latin.RootElement.GetProperty("source").GetString());
        }

        var find = await CliRunner.RunAsync("watchlist", "find", "ab-o123", "--config", _config);
        Assert.Equal(ExitCodes.Ok, find.ExitCode);
        Assert.StartsWith("tolerant: O→0 at 3", Assert.Single(find.OutputLines), StringComparison.Ordinal);
        Assert.Contains("[active]", find.Output, StringComparison.Ordinal);

        var persian = await CliRunner.RunAsync("watchlist", "find", "۸۱ و ۶۳۸ ۱۳", "--json", "--config", _config);
        using (var hit = JsonDocument.Parse(Assert.Single(persian.OutputLines)))
        {
            Assert.Equal("exact", hit.RootElement.GetProperty("how").GetString());
        }

        var miss = await CliRunner.RunAsync("watchlist", "find", "ZZZ999", "--config", _config);
        Assert.StartsWith("no entry matches ZZZ999 (2 entries; tolerance priority 1:", miss.Output, StringComparison.Ordinal);

        var export = await CliRunner.RunAsync("watchlist", "export", "--config", _config);
        Assert.Equal(3, export.OutputLines.Length);
        Assert.Equal("""{"type":"watchlist"}""", export.OutputLines[0]);

        var version = await CliRunner.RunAsync("watchlist", "version", "--config", _config);
        Assert.Equal("no station list yet (never synced); 2 entries (0 station, 2 local)", version.Output.Trim());
    }

    [Fact]
    public async Task A_file_with_a_bad_row_is_reported_by_line_and_nothing_is_applied()
    {
        await CliRunner.RunAsync("watchlist", "import", Write("first.csv", "plate\nKEEP01\n"), "--config", _config);
        var bad = Write("bad.csv", "plate,priority\nNEW001,1\nNE#002,1\nNEW003,0\n");

        var result = await CliRunner.RunAsync("watchlist", "import", bad, "--replace", "--config", _config);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(
            [
                $"{bad}: line 3: plate 'NE#002': '#' (U+0023) cannot appear on a plate ('NE#002')",
                $"{bad}: line 4: priority '0' is not a whole number from 1 (most urgent) to 9",
                $"edge-anpr: {bad}: 2 problem(s); nothing was imported.",
            ],
            result.ErrorLines);
        var list = await CliRunner.RunAsync("watchlist", "list", "--config", _config);
        Assert.Equal(["local-latin-KEEP01"], list.OutputLines.Skip(1).Select(l => l.Split(' ')[0]));
    }

    [Fact]
    public async Task Import_with_replace_makes_the_file_the_local_list_and_is_audited_with_the_user()
    {
        await CliRunner.RunAsync("watchlist", "import", Write("first.csv", "plate\nOLD001\nKEEP01\n"), "--config", _config);

        var result = await CliRunner.RunAsync("watchlist", "import", Write("second.csv", "plate,reason\nKEEP01,changed\nNEW001,x\n"), "--replace", "--json", "--config", _config);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        using (var json = JsonDocument.Parse(result.Output))
        {
            Assert.Equal(2, json.RootElement.GetProperty("imported").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("replaced").GetInt32());
        }

        var list = await CliRunner.RunAsync("watchlist", "list", "--config", _config);
        Assert.Equal(["local-latin-KEEP01", "local-latin-NEW001"], list.OutputLines.Skip(1).Select(l => l.Split(' ')[0]));
        var database = AgentDatabase.Open(Path.Combine(_directory, "state"), TimeProvider.System, new FakeLogger<AgentDatabase>());
        using var audit = new AuditLog(database, TimeProvider.System);
        var records = audit.Query(action: "watchlist.import");
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.StartsWith("local:", r.Actor, StringComparison.Ordinal));
        Assert.Contains("\"replace\":true", records[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_shows_the_station_version_and_who_signed_it()
    {
        var database = AgentDatabase.Open(Path.Combine(_directory, "state"), TimeProvider.System, new FakeLogger<AgentDatabase>());
        using (var store = new WatchlistStore(database, TimeProvider.System))
        {
            store.ReplaceAll(
                [new WatchlistEntry("latin-ABC1", "ABC1", "latin", "stolen", null, 1, null, null, WatchlistSource.Station)],
                new WatchlistVersion(42, "sha256:abcd", "0123456789abcdef"), "station:0123456789abcdef");
        }

        var text = await CliRunner.RunAsync("watchlist", "version", "--config", _config);
        var json = await CliRunner.RunAsync("watchlist", "version", "--json", "--config", _config);

        Assert.Matches("^version 42, applied .*Z, signed by key 0123456789abcdef \\(sha256:abcd\\); 1 entry \\(1 station, 0 local\\)$", text.Output.Trim());
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(42, document.RootElement.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_missing_file_or_bad_option_is_one_line()
    {
        var missing = await CliRunner.RunAsync("watchlist", "import", Path.Combine(_directory, "nope.csv"), "--config", _config);
        var region = await CliRunner.RunAsync("watchlist", "find", "ABC1", "--region", "mars", "--config", _config);

        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Single(missing.ErrorLines);
        Assert.Equal(ExitCodes.BadInput, region.ExitCode);
        Assert.Contains("--region 'mars'", Assert.Single(region.ErrorLines), StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
