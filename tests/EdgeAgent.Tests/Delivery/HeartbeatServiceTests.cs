using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>The heartbeat's content and interval, on a fake clock.</summary>
public sealed class HeartbeatServiceTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _temperature = Path.GetTempFileName();
    private long _frames;

    [Fact]
    public async Task A_heartbeat_reports_uptime_frames_queue_outbox_watchlist_and_temperature()
    {
        await using var rig = new DeliveryRig(output, _time);
        var delivery = rig.Create(transport: null);
        for (var i = 0; i < 3; i++)
        {
            await delivery.SubmitAsync(TestPasses.Pass(_time, seed: i), TestPasses.Stolen);
        }

        File.WriteAllText(_temperature, "48312\n");
        var heartbeat = Heartbeat(rig, delivery);
        _time.Advance(TimeSpan.FromSeconds(90));
        _frames = 90 * 25;

        var beat = await heartbeat.BeatAsync();

        Assert.Equal(("site1", "cam1"), (beat.SiteId, beat.CameraId));
        Assert.Equal(Start.AddSeconds(90), beat.SentAt);
        Assert.Equal(90, beat.UptimeSeconds);
        Assert.Equal(25, beat.FramesPerSecond);
        Assert.Equal(2250, beat.FramesCaptured);
        Assert.Equal(7, beat.FramesDropped);
        Assert.Equal(2, beat.FrameQueueDepth);
        Assert.Equal(3, beat.OutboxDepth);
        Assert.True(beat.OutboxBytes > 3 * 1000);
        Assert.Equal(90, beat.OldestUndeliveredSeconds);
        Assert.Equal(0, beat.OutboxEvicted);
        Assert.Equal(42, beat.WatchlistVersion);
        Assert.Equal(48.3, beat.CpuTemperatureCelsius);

        // Frames per second are over the last interval only.
        _time.Advance(TimeSpan.FromSeconds(30));
        _frames += 30 * 10;
        Assert.Equal(10, (await heartbeat.BeatAsync()).FramesPerSecond);
    }

    [Fact]
    public async Task What_cannot_be_known_is_null()
    {
        await using var rig = new DeliveryRig(output, _time);
        var heartbeat = new HeartbeatService(
            rig.Outbox, rig.Create(null), rig.Camera, rig.Options, _time, TestLogs.For<HeartbeatService>(output)) { TemperaturePath = "/nonexistent/temp" };

        var beat = await heartbeat.BeatAsync();

        Assert.Null(beat.FramesPerSecond);
        Assert.Null(beat.FramesCaptured);
        Assert.Null(beat.FrameQueueDepth);
        Assert.Null(beat.OldestUndeliveredSeconds);
        Assert.Null(beat.WatchlistVersion);
        Assert.Null(beat.CpuTemperatureCelsius);
        var json = JsonSerializer.Serialize(beat, EventJson.Default.HeartbeatEvent);
        Assert.Contains("\"cpuTemperatureCelsius\":null", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evictions_over_the_outbox_bounds_are_counted_in_the_heartbeat()
    {
        await using var rig = new DeliveryRig(output, _time, new OutboxOptions { MaxItems = 5, MaxAge = TimeSpan.FromMinutes(10) });
        var delivery = rig.Create(transport: null);
        for (var i = 0; i < 8; i++)
        {
            await delivery.SubmitAsync(TestPasses.Pass(_time, seed: i), TestPasses.Stolen);
        }

        var heartbeat = Heartbeat(rig, delivery);
        var overCount = await heartbeat.BeatAsync();
        _time.Advance(TimeSpan.FromMinutes(11));
        var overAge = await heartbeat.BeatAsync();

        Assert.Equal((5, 3L), (overCount.OutboxDepth, overCount.OutboxEvicted));
        Assert.Equal((0, 8L), (overAge.OutboxDepth, overAge.OutboxEvicted));
        var evictions = rig.StorageLog.Collector.GetSnapshot().Where(e => e.Id.Id == 3010).ToArray();
        Assert.Contains("0 remain, 8 evicted since start", evictions[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heartbeats_are_published_every_interval_by_the_clock()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var log = TestLogs.For<MqttTransport>(output);
        await using var station = await MqttTestKit.ConnectAsync(broker.ClientOptions("station"), log);
        await using var box = await MqttTestKit.ConnectAsync(broker.ClientOptions("box"), log);
        await station.SubscribeAndConfirmAsync(box, "anpr/v1/site1/cam1/heartbeat");
        await using var rig = new DeliveryRig(output, _time);
        var heartbeatLog = TestLogs.For<HeartbeatService>(output);
        var heartbeat = Heartbeat(rig, rig.Create(null), box, heartbeatLog);
        await heartbeat.StartAsync(CancellationToken.None);
        try
        {
            // ExecuteAsync runs on the pool (.NET 10): its timer must exist before the clock moves, and the service
            // says so once it does.
            await Wait.UntilAsync(() => heartbeatLog.Collector.GetSnapshot().Any(e => e.Id.Id == 3519), MqttTestKit.Timeout, "the heartbeat's timer");
            _time.Advance(TimeSpan.FromSeconds(29));
            _time.Advance(TimeSpan.FromSeconds(1));
            var first = Parse(await station.ReceiveAsync());
            _time.Advance(TimeSpan.FromSeconds(30));
            var second = Parse(await station.ReceiveAsync());

            // A beat before the interval would have arrived first, with an earlier time (the clock stands at 29 s
            // after the first Advance), and the fake clock fires a timer only inside Advance: nothing here waits on
            // the wall clock.
            Assert.Equal(Start.AddSeconds(30), first.SentAt);
            Assert.Equal(30, first.UptimeSeconds);
            Assert.Equal(Start.AddSeconds(60), second.SentAt);
            Assert.Equal(60, second.UptimeSeconds);
        }
        finally
        {
            await heartbeat.StopAsync(CancellationToken.None);
        }
    }

    public void Dispose() => File.Delete(_temperature);

    private static HeartbeatEvent Parse(MqttMessage message) =>
        JsonSerializer.Deserialize(message.Payload.Span, EventJson.Default.HeartbeatEvent)!;

    private HeartbeatService Heartbeat(DeliveryRig rig, DeliveryService delivery, MqttTransport? transport = null, ILogger<HeartbeatService>? log = null) =>
        new(rig.Outbox, delivery, rig.Camera, rig.Options, _time, log ?? TestLogs.For<HeartbeatService>(output))
        {
            Transport = transport,
            Capture = () => new CaptureStatus(CaptureState.Running, null, null, _frames, 7, 0, null),
            FrameQueueDepth = () => 2,
            WatchlistVersion = () => 42,
            TemperaturePath = _temperature,
        };
}
