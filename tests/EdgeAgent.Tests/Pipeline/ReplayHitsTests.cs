using System.Text.Json;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Cli;
using EdgeAnpr.Agent.Tests.Delivery;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Pipeline;

/// <summary>
/// <c>replay --config</c>: reads matched against the box's watchlist, hits through the same outbox as <c>run</c> to a
/// real mosquitto on 127.0.0.1, the drain at the end and its timeout.
/// </summary>
public sealed class ReplayHitsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Each_hit_is_printed_once_stored_and_reaches_the_station()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var station = await HitSubscriber.StartAsync(broker, TestLogs.For<MqttTransport>(output));
        using var site = await HitSite.CreateAsync(broker.Port, ReplayReadsTests.Plate, "ABC1234");
        var clip = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 2);

        var result = await CliRunner.RunAsync("replay", clip, "--config", site.Config, "--json");

        output.WriteLine(result.Output + result.Error);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var lines = result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["read", "hit", "read", "hit", "summary"], lines.Select(l => l.GetProperty("type").GetString()));
        var printed = lines.Where(l => l.GetProperty("type").GetString() == "hit").Select(l => l.GetProperty("eventId").GetString()).ToList();
        foreach (var hit in lines.Where(l => l.GetProperty("type").GetString() == "hit"))
        {
            Assert.Equal(ReplayReadsTests.Plate, hit.GetProperty("plate").GetProperty("text").GetString());
            Assert.Equal("local-latin-" + ReplayReadsTests.Plate, hit.GetProperty("match").GetProperty("entryId").GetString());
            Assert.Equal("exact", hit.GetProperty("match").GetProperty("kind").GetString());
            Assert.Equal("cam1", hit.GetProperty("cameraId").GetString());
        }

        Assert.Equal(2, lines[^1].GetProperty("hits").GetInt64());

        // The replay exits only once the outbox is drained: the station has both, as printed, live.
        await station.WaitForDistinctAsync(2, Delivery);
        station.AssertAllValid();
        Assert.Equal(printed.Order(), station.Received.Select(h => h.EventId).Distinct().Order());
        Assert.All(station.Received, h => Assert.False(h.Replayed));
        Assert.Equal(0, site.OutboxCount());
    }

    [Fact]
    public async Task Reads_that_match_nothing_are_neither_stored_nor_sent()
    {
        using var site = await HitSite.CreateAsync(mqttPort: null, "ABC1234");
        var clip = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 2);

        var result = await CliRunner.RunAsync("replay", clip, "--config", site.Config, "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(["read", "read", "summary"], result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()));
        Assert.Equal(0, site.OutboxCount());
    }

    [Fact]
    public async Task Undelivered_hits_exit_3_after_the_drain_timeout_and_stay_in_the_outbox_for_the_next_run()
    {
        await using var broker = MosquittoBroker.Create();
        using var site = await HitSite.CreateAsync(broker.Port, ReplayReadsTests.Plate);
        var clip = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 2);

        // No broker yet: the hits are stored and printed, the drain gives up after 2 s.
        var first = await CliRunner.RunAsync("replay", clip, "--config", site.Config, "--json", "--drain-timeout", "2");

        output.WriteLine(first.Output + first.Error);
        Assert.Equal(ExitCodes.DrainTimeout, first.ExitCode);
        Assert.Contains("undelivered", Assert.Single(first.ErrorLines), StringComparison.Ordinal);
        var lines = first.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var stored = lines.Where(l => l.GetProperty("type").GetString() == "hit").Select(l => l.GetProperty("eventId").GetString()).ToList();
        Assert.Equal(2, stored.Count);
        Assert.Equal("summary", lines[^1].GetProperty("type").GetString());
        Assert.Equal(2, site.OutboxCount());

        // The broker is back; the next run (a recording with no vehicle) delivers what the last one left, as replayed.
        await broker.StartAsync();
        await using var station = await HitSubscriber.StartAsync(broker, TestLogs.For<MqttTransport>(output));
        var empty = await TestClips.TestPatternAsync(320, 240, 25, 25, source: "color");

        var second = await CliRunner.RunAsync("replay", empty, "--config", site.Config, "--json");

        output.WriteLine(second.Output + second.Error);
        Assert.Equal(ExitCodes.Ok, second.ExitCode);
        await station.WaitForDistinctAsync(2, Delivery);
        Assert.Equal(stored.Order(), station.Received.Select(h => h.EventId).Distinct().Order());
        Assert.All(station.Received, h => Assert.True(h.Replayed));
        Assert.Equal(0, site.OutboxCount());
    }
}
