using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Events;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>Delivery through a real mosquitto broker: commit first, publish oldest first, delete only on PUBACK.</summary>
public sealed class DeliveryServiceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly FakeLogger<HitSubscriber> _stationLog = TestLogs.For<HitSubscriber>(output);

    [Fact]
    public async Task Live_hits_arrive_in_order_not_replayed_and_leave_the_outbox()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rig = new DeliveryRig(output);
        await using var station = await HitSubscriber.StartAsync(broker, _stationLog);
        var transport = rig.BoxTransport(broker);
        await transport.WaitForAsync(MqttConnectionState.Connected);
        var delivery = await rig.StartAsync(transport);

        var sent = new List<HitEvent>();
        for (var i = 0; i < 20; i++)
        {
            sent.Add(await delivery.SubmitAsync(TestPasses.Pass(rig.Time, seed: i), TestPasses.Stolen));
        }

        await station.WaitForDistinctAsync(20, Timeout);
        await Wait.UntilAsync(() => rig.Outbox.Count == 0, Timeout, "the outbox to empty");
        Assert.Equal(sent.Select(h => h.EventId), station.Received.Select(h => h.EventId));
        Assert.All(station.Received, h => Assert.False(h.Replayed));
        Assert.Equal(sent.Select(Json), station.Received.Select(Json));
        station.AssertAllValid();
        Assert.Equal(new DeliveryStats(20, 20, 0, 20, 0), delivery.Stats);
        rig.DeliveryLog.AssertNoErrors();
    }

    [Fact]
    public async Task A_hit_committed_while_connected_is_live_even_if_the_loop_meets_the_connection_later()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rig = new DeliveryRig(output);
        await using var station = await HitSubscriber.StartAsync(broker, _stationLog);
        var transport = rig.BoxTransport(broker);
        await transport.WaitForAsync(MqttConnectionState.Connected);
        var delivery = rig.Create(transport);

        var hit = await delivery.SubmitAsync(TestPasses.Pass(rig.Time), TestPasses.Stolen);
        await delivery.StartAsync(CancellationToken.None);

        await station.WaitForDistinctAsync(1, Timeout);
        Assert.Equal(hit.EventId, Assert.Single(station.Received).EventId);
        Assert.False(station.Received[0].Replayed);
        Assert.Equal(0, delivery.Stats.Replayed);
    }

    [Fact]
    public async Task A_hit_committed_before_a_crash_is_delivered_by_the_next_run_marked_replayed()
    {
        var broker = MosquittoBroker.Create();
        await using var _ = broker;
        await using var rig = new DeliveryRig(output);

        // The broker is down: the hits are committed, then the process "dies" before anything is published.
        var first = await rig.StartAsync(rig.BoxTransport(broker));
        var committed = new List<HitEvent>();
        for (var i = 0; i < 3; i++)
        {
            committed.Add(await first.SubmitAsync(TestPasses.Pass(rig.Time, seed: i), TestPasses.Stolen));
        }

        Assert.Equal(3, rig.Outbox.Count);
        await rig.StopAsync(first);
        rig.ReopenOutbox();

        await broker.StartAsync();
        await using var station = await HitSubscriber.StartAsync(broker, _stationLog);
        var second = await rig.StartAsync(rig.BoxTransport(broker));

        await station.WaitForDistinctAsync(3, Timeout);
        await Wait.UntilAsync(() => rig.Outbox.Count == 0, Timeout, "the outbox to empty");
        Assert.Equal(committed.Select(h => Json(h with { Replayed = true })), station.Received.Select(Json));
        Assert.Equal(3, second.Stats.Replayed);
        station.AssertAllValid();
        Assert.Contains(rig.DeliveryLog.Collector.GetSnapshot(), e => e.Id.Id == 3500);
    }

    [Fact]
    public async Task Nothing_leaves_the_outbox_without_its_puback_and_at_most_max_in_flight_wait_for_one()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = new MosquittoRelay(broker.Port, filterPubacks: true) { WithholdPubacks = true };
        await using var rig = new DeliveryRig(output, options: new DeliveryOptions { MaxInFlight = 10 });
        await using var station = await HitSubscriber.StartAsync(broker, _stationLog);
        var transport = rig.BoxTransport(broker, relay.Port);
        await transport.WaitForAsync(MqttConnectionState.Connected);
        var delivery = await rig.StartAsync(transport);

        var sent = new List<HitEvent>();
        for (var i = 0; i < 30; i++)
        {
            sent.Add(await delivery.SubmitAsync(TestPasses.Pass(rig.Time, seed: i), TestPasses.Stolen));
        }

        // The broker has the first ten and said so; the box never heard it, so it keeps all thirty. Ten under way and
        // no PUBACK: the loop cannot start an eleventh, whatever the timing, so the counters say so exactly.
        await Wait.UntilAsync(() => relay.Withheld >= 10, Timeout, "the relay to withhold ten PUBACKs");
        Assert.Equal(10, delivery.InFlight);
        Assert.Equal(10, delivery.Stats.Published);
        await station.WaitForDistinctAsync(10, Timeout);
        Assert.Equal(10, station.Distinct);
        Assert.Equal(30, rig.Outbox.Count);
        Assert.Equal(0, delivery.Stats.Acknowledged);

        // The link drops: the ten fail, and the outbox sends all thirty again, oldest first, on the new connection.
        relay.WithholdPubacks = false;
        relay.CutAll();
        await station.WaitForDistinctAsync(30, Timeout);
        await Wait.UntilAsync(() => rig.Outbox.Count == 0, Timeout, "the outbox to empty");

        var firstArrivals = station.Received.DistinctBy(h => h.EventId).ToArray();
        Assert.Equal(sent.Select(h => h.EventId), firstArrivals.Select(h => h.EventId));
        Assert.All(firstArrivals[..10], h => Assert.False(h.Replayed));
        Assert.All(firstArrivals[10..], h => Assert.True(h.Replayed));
        output.WriteLine($"{station.Received.Count} messages for {station.Distinct} hits ({station.Received.Count - station.Distinct} duplicates)");
        Assert.True(station.Received.Count >= 30);
        station.AssertAllValid();
    }

    [Fact]
    public async Task A_hit_without_its_puback_by_its_deadline_is_published_again_from_the_outbox()
    {
        var time = new FakeTimeProvider();
        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = new MosquittoRelay(broker.Port, filterPubacks: true) { WithholdPubacks = true };
        var options = new DeliveryOptions { MaxInFlight = 5, PublishTimeout = TimeSpan.FromSeconds(10) };
        await using var rig = new DeliveryRig(output, time, options: options);
        await using var station = await HitSubscriber.StartAsync(broker, _stationLog);
        var transport = rig.BoxTransport(broker, relay.Port);
        await transport.WaitForAsync(MqttConnectionState.Connected);
        var delivery = await rig.StartAsync(transport);

        var sent = new List<HitEvent>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add(await delivery.SubmitAsync(TestPasses.Pass(time, seed: i), TestPasses.Stolen));
        }

        await Wait.UntilAsync(() => relay.Withheld >= 3, Timeout, "the relay to withhold three PUBACKs");
        Assert.Equal(3, delivery.InFlight);
        relay.WithholdPubacks = false;

        // Each publish's deadline is on the delivery clock: past it, the three are given up and sent again.
        time.Advance(options.PublishTimeout);
        await Wait.UntilAsync(() => rig.Outbox.Count == 0, Timeout, "the outbox to empty");

        Assert.Equal(new DeliveryStats(3, 6, 0, 3, 0), delivery.Stats);
        Assert.Equal(3, rig.DeliveryLog.Collector.GetSnapshot().Count(e => e.Id.Id == 3511));
        await station.WaitForDistinctAsync(3, Timeout);
        Assert.Equal(sent.Select(h => h.EventId), station.Received.DistinctBy(h => h.EventId).Select(h => h.EventId));

        // The same connection: sent live both times.
        Assert.All(station.Received, h => Assert.False(h.Replayed));
        rig.DeliveryLog.AssertNoErrors();
    }

    [Fact]
    public async Task Drain_gives_up_after_its_timeout_leaving_the_hits_and_succeeds_once_the_broker_is_back()
    {
        var broker = MosquittoBroker.Create();
        await using var _ = broker;
        await using var rig = new DeliveryRig(output);
        var delivery = await rig.StartAsync(rig.BoxTransport(broker));
        for (var i = 0; i < 5; i++)
        {
            await delivery.SubmitAsync(TestPasses.Pass(rig.Time, seed: i), TestPasses.Stolen);
        }

        Assert.False(await delivery.DrainAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(5, rig.Outbox.Count);
        Assert.Contains(rig.DeliveryLog.Collector.GetSnapshot(), e => e.Id.Id == 3506 && e.Message.Contains("5 hit(s) left", StringComparison.Ordinal));

        await broker.StartAsync();
        Assert.True(await delivery.DrainAsync(Timeout));
        Assert.Equal(0, rig.Outbox.Count);
    }

    [Fact]
    public async Task Without_mqtt_hits_are_stored_and_there_is_nothing_to_drain()
    {
        await using var rig = new DeliveryRig(output);
        var delivery = await rig.StartAsync(transport: null);

        var hit = await delivery.SubmitAsync(TestPasses.Pass(rig.Time), TestPasses.Stolen);

        Assert.False(delivery.IsPublishing);
        Assert.Equal(hit.EventId, rig.Outbox.PeekOldest(1).Single().EventId);
        Assert.True(await delivery.DrainAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task Submitting_the_same_event_twice_stores_it_once()
    {
        await using var rig = new DeliveryRig(output);
        var delivery = rig.Create(transport: null);
        var hit = rig.Factory.Create(TestPasses.Pass(rig.Time), TestPasses.Stolen);

        await delivery.SubmitAsync(hit);
        await delivery.SubmitAsync(hit);

        Assert.Equal(1, rig.Outbox.Count);
    }

    [Fact]
    public async Task Unmatched_reads_are_neither_stored_nor_sent_unless_enabled_and_then_only_for_their_retention()
    {
        var time = new FakeTimeProvider();
        await using (var off = new DeliveryRig(output, time))
        {
            Assert.Null(await off.Create(transport: null).SubmitReadAsync(TestPasses.Pass(time)));
            Assert.Equal(0, off.Outbox.Count);
        }

        await using var rig = new DeliveryRig(output, time, options: new DeliveryOptions { PublishReads = true, ReadRetention = TimeSpan.FromHours(1) });
        var delivery = rig.Create(transport: null);
        var read = await delivery.SubmitReadAsync(TestPasses.Pass(time));
        var hit = await delivery.SubmitAsync(TestPasses.Pass(time), TestPasses.Stolen);

        Assert.NotNull(read);
        Assert.Null(read.Match);
        Assert.Equal([rig.Camera.ReadTopic, rig.Camera.HitTopic], rig.Outbox.PeekOldest(10).Select(i => i.Topic));
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, delivery.ExpireReads());
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, delivery.ExpireReads());
        Assert.Equal(hit.EventId, rig.Outbox.PeekOldest(10).Single().EventId);
        Assert.Equal(1, delivery.Stats.ReadsExpired);
    }

    /// <summary>The wire form: what the station can compare (times travel with millisecond precision).</summary>
    internal static string Json(HitEvent hit) => System.Text.Encoding.UTF8.GetString(HitPayload.Serialize(hit));
}
