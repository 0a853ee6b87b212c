using System.Security.Cryptography;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Watchlist;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Tests.Watchlist;

public sealed class WatchlistOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-watchlist-options-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_defaults_are_valid_and_allow_one_substitution_for_priorities_1_and_2()
    {
        Assert.Empty(Check([]));
        var tolerance = WatchlistTolerance.From(new WatchlistOptions());
        Assert.Equal([1, 1, 0, 0], new[] { 1, 2, 3, 9 }.Select(tolerance.SubstitutionsFor));
        Assert.Equal([true, false, false], new[] { 1, 2, 5 }.Select(tolerance.MissingOrExtraFor));
        Assert.Equal("priority 1: 1 substitution or 1 missing/extra; 2: 1 substitution; 3+: exact", tolerance.ToString());
    }

    [Fact]
    public void Key_files_are_checked_and_each_problem_names_its_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var good = Write("good.pem", key.ExportSubjectPublicKeyInfoPem());
        var again = Write("again.pem", key.ExportSubjectPublicKeyInfoPem());
        var secret = Write("secret.pem", key.ExportPkcs8PrivateKeyPem());
        var junk = Write("junk.pem", "hello");

        var problems = Check(new()
        {
            ["Watchlist:StationKeyFiles:0"] = good,
            ["Watchlist:StationKeyFiles:1"] = again,
            ["Watchlist:StationKeyFiles:2"] = secret,
            ["Watchlist:StationKeyFiles:3"] = junk,
            ["Watchlist:StationKeyFiles:4"] = Path.Combine(_directory, "missing.pem"),
        });

        Assert.Collection(
            problems,
            p => Assert.Contains("Watchlist:StationKeyFiles:1 '" + again + "' is the same key", p, StringComparison.Ordinal),
            p => Assert.Contains("Watchlist:StationKeyFiles:2 '" + secret + "': it holds a PRIVATE key", p, StringComparison.Ordinal),
            p => Assert.Contains("Watchlist:StationKeyFiles:3 '" + junk + "': it is not a PEM public key", p, StringComparison.Ordinal),
            p => Assert.Contains("Watchlist:StationKeyFiles:4", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Tolerance_tables_are_checked()
    {
        var problems = Check(new()
        {
            ["Watchlist:SubstitutionsByPriority:one"] = "1",
            ["Watchlist:SubstitutionsByPriority:2"] = "4",
            ["Watchlist:MissingOrExtraByPriority:x"] = "true",
            ["Watchlist:MaxMessageBytes"] = "10",
        });

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("Watchlist:SubstitutionsByPriority:one is not a priority", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Watchlist:SubstitutionsByPriority:2 is 4", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Watchlist:MissingOrExtraByPriority:x", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("MaxMessageBytes", StringComparison.Ordinal));
    }

    [Fact]
    public void A_configured_table_replaces_the_defaults()
    {
        var options = new WatchlistOptions { SubstitutionsByPriority = { ["1"] = 2, ["5"] = 1 } };

        var tolerance = WatchlistTolerance.From(options);

        Assert.Equal([2, 2, 1, 1], new[] { 0, 4, 5, 9 }.Select(tolerance.SubstitutionsFor));
    }

    [Fact]
    public void Doctor_says_whether_station_sync_can_work()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var file = Write("station.pem", key.ExportSubjectPublicKeyInfoPem());
        var options = new WatchlistOptions();

        Assert.Equal(Doctor.CheckOutcome.Fail, WatchlistDoctor.Check(options, new MqttOptions { Host = "broker" }).Outcome);
        Assert.Equal(Doctor.CheckOutcome.Warn, WatchlistDoctor.Check(options, new MqttOptions()).Outcome);
        options.StationKeyFiles.Add(file);
        var on = WatchlistDoctor.Check(options, new MqttOptions { Host = "broker" });
        Assert.Equal(Doctor.CheckOutcome.Ok, on.Outcome);
        Assert.Contains(EdgeAnpr.Shared.Watchlist.StationKey.IdOf(key), on.Detail, StringComparison.Ordinal);
        Assert.Equal(Doctor.CheckOutcome.Warn, WatchlistDoctor.Check(options, new MqttOptions()).Outcome);
    }

    private static IReadOnlyList<string> Check(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new OptionsEntry<WatchlistOptions, WatchlistOptionsValidator>(WatchlistOptions.SectionName).Check(configuration);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
