using System.Device.Gpio;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Delivery;
using EdgeAnpr.Agent.Tests.Hardware;
using EdgeAnpr.Agent.Tests.Storage;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Events;
using Microsoft.Extensions.Logging.Testing;

namespace EdgeAnpr.Agent.Tests.Pipeline;

/// <summary>The pass stage: match, commit, then (only then) pulse the relay and report; never drop a hit.</summary>
public sealed class PassProcessorTests : IDisposable
{
    private const int RelayLine = 17;
    private readonly StorageRig _rig = new();
    private readonly FakeGpioDriver _pins;
    private readonly GpioController _gpio;
    private readonly List<string> _seen = [];

    public PassProcessorTests()
    {
        _pins = new FakeGpioDriver(_rig.Time);
        _gpio = new GpioController(_pins);
    }

    public void Dispose()
    {
        _gpio.Dispose();
        _rig.Dispose();
    }

    [Fact]
    public async Task A_hit_is_stored_before_the_relay_pulses_and_before_it_is_reported_and_a_miss_goes_nowhere()
    {
        var (processor, outbox) = Build(new DeliveryOptions(), "AYO9034");

        await processor.HandleAsync(TestPasses.Pass(_rig.Time, "AYO9034"), CancellationToken.None);
        await processor.HandleAsync(TestPasses.Pass(_rig.Time, "ZZZ9999"), CancellationToken.None);

        Assert.Equal(["pass AYO9034", "hit AYO9034 stored 1 relay True", "pass ZZZ9999"], _seen);
        Assert.Equal(1, outbox.Count);
        Assert.True(_pins.IsHigh(RelayLine));
    }

    [Fact]
    public async Task A_hit_the_disk_cannot_take_is_kept_and_retried_until_there_is_room()
    {
        var (processor, outbox) = Build(new DeliveryOptions(), pageLimit: 40, "AYO9034");
        var filler = 0;
        try
        {
            for (; filler < 1000; filler++)
            {
                outbox.Enqueue($"filler-{filler}", "t", new byte[2000]);
            }
        }
        catch (StorageFullException)
        {
        }

        var handling = processor.HandleAsync(TestPasses.Pass(_rig.Time, "AYO9034"), CancellationToken.None).AsTask();
        await Wait.UntilAsync(() => _rig.Logger.Collector.Count > 0 || handling.IsCompleted, TimeSpan.FromSeconds(5), "a first failed commit");
        _rig.Time.Advance(PassProcessor.FirstRetryDelay);
        Assert.False(handling.IsCompleted);
        Assert.Equal(["pass AYO9034"], _seen);

        // Acknowledged hits leave the outbox and make room: the kept hit goes in at the next try.
        outbox.DeleteMany(outbox.PeekOldest(10).Select(i => i.Seq));
        for (var i = 0; i < 10 && !handling.IsCompleted; i++)
        {
            _rig.Time.Advance(PassProcessor.MaxRetryDelay);
            await Task.WhenAny(handling, Task.Delay(200));
        }

        await handling.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(filler - 10 + 1, outbox.Count);
        Assert.Equal("hit AYO9034 stored " + outbox.Count + " relay True", _seen[^1]);
    }

    [Fact]
    public async Task Waiting_out_a_failed_commit_is_not_counted_as_a_stuck_stage()
    {
        var (processor, outbox) = Build(new DeliveryOptions(), pageLimit: 40, "AYO9034");
        try
        {
            for (var filler = 0; filler < 1000; filler++)
            {
                outbox.Enqueue($"filler-{filler}", "t", new byte[2000]);
            }
        }
        catch (StorageFullException)
        {
        }

        // As RunAsync does: the stage is busy from taking the pass.
        processor.Liveness!.Busy();
        var handling = processor.HandleAsync(TestPasses.Pass(_rig.Time, "AYO9034"), CancellationToken.None).AsTask();
        await Wait.UntilAsync(() => _rig.Logger.Collector.Count > 0 || handling.IsCompleted, TimeSpan.FromSeconds(5), "a first failed commit");

        // Short of the first retry: a stage still marked busy would now have been on its pass this long.
        _rig.Time.Advance(PassProcessor.FirstRetryDelay / 2);
        await Wait.UntilAsync(() => processor.Liveness.BusyFor == TimeSpan.Zero, TimeSpan.FromSeconds(5), "the stage idle during the backoff");
        Assert.False(handling.IsCompleted);
    }

    private (PassProcessor Processor, Outbox Outbox) Build(DeliveryOptions options, params string[] listed) => Build(options, 0, listed);

    private (PassProcessor Processor, Outbox Outbox) Build(DeliveryOptions options, int pageLimit, params string[] listed)
    {
        var database = _rig.OpenDatabase();
        var store = _rig.Own(new WatchlistStore(database, _rig.Time));
        store.ImportLocal([.. listed.Select(p => new WatchlistEntry($"local-latin-{p}", p, "latin", "stolen", null, 1, null, null, WatchlistSource.Local))], replace: false, "local:test", "test");
        var matcher = new WatchlistMatcher(store, WatchlistTolerance.Default, _rig.Time, new FakeLogger<WatchlistMatcher>());
        matcher.Reload();
        if (pageLimit > 0)
        {
            // Caps every connection opened from here on: the outbox's disk is then full after a few pages.
            database.ConnectionHook = c =>
            {
                using var command = c.CreateCommand();
                command.CommandText = $"PRAGMA max_page_count = {pageLimit}";
                command.ExecuteNonQuery();
            };
        }

        var outbox = _rig.Own(_rig.OpenOutbox(database));
        var factory = new HitEventFactory(new CameraIdentity("site1", "cam1"), _rig.Time);
        var delivery = new DeliveryService(outbox, factory, options, transport: null, _rig.Time, new FakeLogger<DeliveryService>());
        var relay = new HitSignal(_gpio, new GpioOutputOptions { Line = RelayLine }, new GpioOptions().PulseFor, _rig.Time, new FakeLogger<HitSignal>());
        var processor = new PassProcessor(
            new PassQueue(), new PipelineStats(), matcher, delivery, factory, relay, [new Recorder(_seen, outbox, _pins)], _rig.Time, new FakeLogger<PassProcessor>())
        {
            Liveness = new StageLiveness("pass matching", _rig.Time),
        };
        return (processor, outbox);
    }

    private sealed class Recorder(List<string> seen, Outbox outbox, FakeGpioDriver pins) : IPipelineObserver
    {
        public void OnPass(VehiclePass pass) => seen.Add($"pass {pass.Text.Value}");

        public void OnHit(HitEvent hit) => seen.Add($"hit {hit.Plate.Text} stored {outbox.Count} relay {pins.IsHigh(RelayLine)}");
    }
}
