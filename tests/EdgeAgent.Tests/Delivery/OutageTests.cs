using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Events;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>The promise itself: hits read while the link is down reach the station when it is back. The one long test.</summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);
    private const int HeldBack = 500;

    [Fact]
    public async Task Hits_made_during_a_60_s_broker_outage_all_arrive_oldest_first_marked_replayed()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rig = new DeliveryRig(output);
        await using var station = await HitSubscriber.StartAsync(broker, TestLogs.For<HitSubscriber>(output));
        var transport = rig.BoxTransport(broker);
        await transport.WaitForAsync(MqttConnectionState.Connected);
        var delivery = await rig.StartAsync(transport);

        var live = new List<HitEvent>();
        for (var i = 0; i < 5; i++)
        {
            live.Add(await delivery.SubmitAsync(TestPasses.Pass(rig.Time, seed: i), TestPasses.Stolen));
        }

        await station.WaitForDistinctAsync(live.Count, TimeSpan.FromSeconds(20));
        await Wait.UntilAsync(() => rig.Outbox.Count == 0, TimeSpan.FromSeconds(20), "the live hits to be acknowledged");

        await broker.StopAsync();
        var stopped = TimeProvider.System.GetTimestamp();
        await Wait.UntilAsync(() => !transport.IsConnected, TimeSpan.FromSeconds(20), "the box to see the broker gone");

        // Every hit is durable when SubmitAsync returns, long before the broker is back.
        var heldBack = new List<HitEvent>();
        for (var i = 0; i < HeldBack; i++)
        {
            heldBack.Add(await delivery.SubmitAsync(TestPasses.Pass(rig.Time, seed: 100 + i), TestPasses.Stolen));
        }

        Assert.Equal(HeldBack, rig.Outbox.Count);
        Assert.Equal(0, station.Distinct - live.Count);
        var remaining = Outage - TimeProvider.System.GetElapsedTime(stopped);
        output.WriteLine($"{HeldBack} hits committed during the outage; broker back in {remaining.TotalSeconds:F0} s");
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }

        await broker.StartAsync();
        var restarted = TimeProvider.System.GetTimestamp();
        await station.WaitForDistinctAsync(live.Count + HeldBack, TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(() => rig.Outbox.Count == 0, TimeSpan.FromSeconds(30), "the outbox to empty");
        output.WriteLine($"all {HeldBack} delivered {TimeProvider.System.GetElapsedTime(restarted).TotalSeconds:F1} s after the broker came back; " +
            $"{station.Received.Count - station.Distinct} duplicate(s)");

        var arrivals = station.Received.DistinctBy(h => h.EventId).ToArray();
        Assert.Equal(live.Concat(heldBack).Select(h => h.EventId), arrivals.Select(h => h.EventId));
        Assert.All(arrivals[..live.Count], h => Assert.False(h.Replayed));
        Assert.All(arrivals[live.Count..], h => Assert.True(h.Replayed, $"{h.EventId} was held back but not marked replayed"));
        Assert.Equal(heldBack.Select(h => DeliveryServiceTests.Json(h with { Replayed = true })), arrivals[live.Count..].Select(DeliveryServiceTests.Json));
        station.AssertAllValid();
        rig.DeliveryLog.AssertNoErrors();
        Assert.Contains(rig.DeliveryLog.Collector.GetSnapshot(), e => e.Id.Id == 3502);
    }
}
