using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Delivery;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Pipeline;

/// <summary>The service as systemd runs it, a child process, killed with SIGKILL and started again: no hit is lost.</summary>
public sealed class AgentKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Hits_stored_before_a_SIGKILL_are_all_delivered_by_the_next_start()
    {
        await using var broker = MosquittoBroker.Create();
        using var site = await HitSite.CreateAsync(broker.Port, ReplayReadsTests.Plate);

        // A camera (paced recording) sees the listed car pass every 1.8 s; the link is down, so hits pile up in the outbox.
        var passes = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 12);
        await site.SetCameraAsync(passes, pace: true);
        await RunThenKillAsync(site, passes, () => Wait.UntilAsync(() => site.OutboxCount() >= 3, TimeSpan.FromSeconds(60), "three hits stored by the running agent"));

        var stored = site.OutboxEventIds();
        Assert.InRange(stored.Count, 3, 12);

        // Started again with the link up and a camera that sees nothing: what the killed process stored goes out.
        await broker.StartAsync();
        await using var station = await HitSubscriber.StartAsync(broker, TestLogs.For<MqttTransport>(output));
        var quiet = await TestClips.TestPatternAsync(320, 240, 25, 500, source: "color");
        await site.SetCameraAsync(quiet, pace: true);
        using (var agent = AgentProcess.Start(null, "run", "--config", site.Config))
        {
            await station.WaitForDistinctAsync(stored.Count, TimeSpan.FromSeconds(30));
            await Wait.UntilAsync(() => site.OutboxCount() == 0, TimeSpan.FromSeconds(10), "the outbox to empty as PUBACKs arrive");
            agent.Terminate();
            Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            output.WriteLine(agent.Error);
        }

        station.AssertAllValid();
        Assert.Equal(stored.Order(), station.Received.Select(h => h.EventId).Distinct().Order());
        Assert.All(station.Received, h => Assert.True(h.Replayed));
        Assert.All(station.Received, h => Assert.Equal(ReplayReadsTests.Plate, h.Plate.Text));
    }

    [Fact]
    public async Task Hits_in_flight_when_the_agent_is_killed_are_sent_again_by_the_next_start()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var station = await HitSubscriber.StartAsync(broker, TestLogs.For<MqttTransport>(output));

        // The agent reaches the broker through a relay that drops every PUBACK: its hits go out but none is confirmed.
        await using var relay = new MosquittoRelay(broker.Port, filterPubacks: true) { WithholdPubacks = true };
        using var site = await HitSite.CreateAsync(relay.Port, ReplayReadsTests.Plate);
        var passes = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 12);
        await site.SetCameraAsync(passes, pace: true);
        await RunThenKillAsync(site, passes, () => station.WaitForDistinctAsync(3, TimeSpan.FromSeconds(60)));

        // Published, unconfirmed: every one is still in the outbox.
        var stored = site.OutboxEventIds();
        Assert.True(relay.Withheld >= 3, $"{relay.Withheld} PUBACKs withheld");
        Assert.Superset(station.Received.Select(h => h.EventId).ToHashSet(), stored.ToHashSet());

        relay.WithholdPubacks = false;
        var quiet = await TestClips.TestPatternAsync(320, 240, 25, 500, source: "color");
        await site.SetCameraAsync(quiet, pace: true);
        using (var agent = AgentProcess.Start(null, "run", "--config", site.Config))
        {
            await Wait.UntilAsync(() => site.OutboxCount() == 0, TimeSpan.FromSeconds(30), "the outbox to empty as PUBACKs arrive");
            agent.Terminate();
            Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        // At least once: each stored hit arrived, the second time marked replayed; the station drops the repeat by id.
        station.AssertAllValid();
        foreach (var id in stored)
        {
            Assert.Contains(station.Received, h => h.EventId == id && h.Replayed);
        }
    }

    /// <summary>Runs the agent on <paramref name="site"/> until <paramref name="until"/> completes, then SIGKILLs it and the ffmpeg it leaves behind.</summary>
    private async Task RunThenKillAsync(HitSite site, string clip, Func<Task> until)
    {
        using (var agent = AgentProcess.Start(null, "run", "--config", site.Config))
        {
            try
            {
                await until();
            }
            finally
            {
                output.WriteLine(agent.Error);
            }

            agent.KillHard();
        }

        // A killed process reaps nothing: its ffmpeg child is orphaned and would read on.
        foreach (var ffmpeg in AgentProcess.ProcessesMentioning(clip))
        {
            using var child = System.Diagnostics.Process.GetProcessById(ffmpeg);
            child.Kill();
        }
    }
}
