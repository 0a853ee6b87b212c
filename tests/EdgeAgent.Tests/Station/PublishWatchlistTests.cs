using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Cli;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Tests.Watchlist;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Plates;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Station;

/// <summary>
/// <c>keys generate</c> and <c>station publish-watchlist</c> end to end: the CLI signs and publishes through a real
/// mosquitto to a box whose <see cref="WatchlistSyncService"/> trusts the generated public key file.
/// </summary>
public sealed class PublishWatchlistTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-station-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_snapshot_then_a_delta_published_by_the_station_reach_the_box()
    {
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync("keys", "generate", "--out", _directory)).ExitCode);
        using var trust = StationKeys.Load([Path.Combine(_directory, "station-public.pem")]);
        await using var rig = await SyncRig.StartAsync(fixture.Broker, output, trust: trust);
        var key = Path.Combine(_directory, "station-private.pem");
        var list = Write("list.csv", "plate,region,reason,priority,valid_until\nAB-0123,latin,stolen,1,2099-12-31\n81و63813,ir,wanted,2,\n");

        var snapshot = await Publish(rig, list, "--key", key, "--version", "10");

        Assert.Equal(ExitCodes.Ok, snapshot.ExitCode);
        Assert.Contains("published snapshot version 10 (2 entries", snapshot.Output, StringComparison.Ordinal);
        Assert.Contains("acknowledged by the broker", snapshot.Output, StringComparison.Ordinal);
        await rig.WaitForVersionAsync(10);
        Assert.Equal(["ir-81و63813", "latin-AB0123"], rig.Store.List().Select(e => e.Id));
        Assert.Equal(trust.Ids[0], rig.Store.CurrentVersion!.KeyId);

        var delta = await Publish(rig, Write("delta.csv", "plate,priority\nNEW999,1\n"), "--key", key, "--delta", "--base-version", "10", "--remove", "latin-AB0123", "--json");

        Assert.Equal(ExitCodes.Ok, delta.ExitCode);
        using (var json = JsonDocument.Parse(delta.Output))
        {
            Assert.Equal(11, json.RootElement.GetProperty("version").GetInt64());
            Assert.Equal(1, json.RootElement.GetProperty("removals").GetInt32());
        }

        await rig.WaitForVersionAsync(11);
        Assert.Equal(["ir-81و63813", "latin-NEW999"], rig.Store.List().Select(e => e.Id));
        await Wait.UntilAsync(() => rig.Matcher.Index.Count == 2 && rig.Matcher.Match(PlateText.Parse("NEW999", PlateRegion.Latin)) is not null, SyncRig.Timeout, "the matcher to reload");
        rig.SyncLogger.AssertNoErrors();
    }

    [Fact]
    public async Task A_snapshot_is_retained_so_a_box_that_starts_later_gets_it()
    {
        await CliRunner.RunAsync("keys", "generate", "--out", _directory);
        using var trust = StationKeys.Load([Path.Combine(_directory, "station-public.pem")]);
        var site = "late" + Guid.NewGuid().ToString("N")[..8];
        var published = await CliRunner.RunAsync(
            "station", "publish-watchlist", Write("list.csv", "plate\nLATE01\n"), "--key", Path.Combine(_directory, "station-private.pem"),
            "--site", site, "--host", MosquittoBroker.Address, "--port", fixture.Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ExitCodes.Ok, published.ExitCode);

        await using var rig = await SyncRig.StartAsync(fixture.Broker, output, trust: trust, site: site);

        await Wait.UntilAsync(() => rig.Store.Count == 1, SyncRig.Timeout, "the retained snapshot");
        Assert.Equal("latin-LATE01", rig.Store.List()[0].Id);
    }

    [Fact]
    public async Task A_broker_that_is_not_there_fails_with_one_line()
    {
        await CliRunner.RunAsync("keys", "generate", "--out", _directory);

        var result = await CliRunner.RunAsync(
            "station", "publish-watchlist", Write("list.csv", "plate\nABC123\n"), "--key", Path.Combine(_directory, "station-private.pem"),
            "--site", "site1", "--host", MosquittoBroker.Address, "--port", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "2");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Matches("^edge-anpr: snapshot version \\d+ NOT published: 127.0.0.1:\\d+: not connected within 2 s", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("--delta")]
    [InlineData("--remove", "x")]
    [InlineData("--site", "a/b")]
    public async Task Inconsistent_options_are_refused_before_anything_is_signed(params string[] extra)
    {
        await CliRunner.RunAsync("keys", "generate", "--out", _directory);
        string[] args = ["station", "publish-watchlist", Write("list.csv", "plate\nABC123\n"), "--key", Path.Combine(_directory, "station-private.pem"), "--host", "127.0.0.1"];
        if (!extra.Contains("--site"))
        {
            args = [.. args, "--site", "site1"];
        }

        var result = await CliRunner.RunAsync([.. args, .. extra]);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Single(result.ErrorLines);
    }

    [Fact]
    public async Task A_bad_csv_or_a_public_key_given_as_the_signing_key_publishes_nothing()
    {
        await CliRunner.RunAsync("keys", "generate", "--out", _directory);
        var common = new[] { "--site", "site1", "--out", Path.Combine(_directory, "message.json") };

        var badCsv = await CliRunner.RunAsync(["station", "publish-watchlist", Write("bad.csv", "plate\nA#1\n"), "--key", Path.Combine(_directory, "station-private.pem"), .. common]);
        var publicKey = await CliRunner.RunAsync(["station", "publish-watchlist", Write("good.csv", "plate\nA1\n"), "--key", Path.Combine(_directory, "station-public.pem"), .. common]);

        Assert.Equal(ExitCodes.BadInput, badCsv.ExitCode);
        Assert.Contains("line 2", badCsv.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, publicKey.ExitCode);
        Assert.Contains("not a PEM private key", Assert.Single(publicKey.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "message.json")));
    }

    private Task<CliRunner.Result> Publish(SyncRig rig, string csv, params string[] extra) =>
        CliRunner.RunAsync(
        [
            "station", "publish-watchlist", csv, "--site", rig.Site, "--host", MosquittoBroker.Address,
            "--port", fixture.Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra,
        ]);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
