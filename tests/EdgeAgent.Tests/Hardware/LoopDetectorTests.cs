using System.Device.Gpio;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary>
/// The software debounce on the fake clock. The fake driver raises edges synchronously and the fake clock fires the
/// debounce timer inside <c>Advance</c>, so every assertion holds the moment the clock has moved: nothing waits.
/// </summary>
public sealed class LoopDetectorTests : IDisposable
{
    private const int Line = 22;
    private static readonly TimeSpan Debounce = LoopDetectorOptions.DefaultDebounce;

    private readonly FakeTimeProvider _time = new();
    private readonly FakeGpioDriver _pins;
    private readonly GpioController _gpio;
    private readonly FakeLogger<LoopDetector> _logger = new();

    public LoopDetectorTests()
    {
        _pins = new FakeGpioDriver(_time);
        _gpio = new GpioController(_pins);
    }

    public void Dispose()
    {
        _gpio.Dispose();
        _logger.AssertNoErrors();
    }

    [Fact]
    public void Contact_bounce_is_ignored_and_an_arrival_is_reported_once_dated_when_the_contact_settled()
    {
        using var loop = Detector(activeLow: false);

        // The contact closes with 8 ms of bounce, then holds.
        _pins.SetPin(Line, true);
        _time.Advance(TimeSpan.FromMilliseconds(4));
        _pins.SetPin(Line, false);
        _time.Advance(TimeSpan.FromMilliseconds(4));
        _pins.SetPin(Line, true);
        var settled = _time.GetTimestamp();
        var settledAt = _time.GetUtcNow();
        _time.Advance(Debounce - TimeSpan.FromMilliseconds(1));
        Assert.False(loop.VehiclePresent);
        Assert.False(loop.Changes.TryRead(out _));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(loop.VehiclePresent);
        Assert.Equal([new PresenceChange(true, settled, settledAt)], Drain(loop));
    }

    [Fact]
    public void A_blip_shorter_than_the_debounce_is_not_a_vehicle()
    {
        using var loop = Detector(activeLow: false);

        _pins.SetPin(Line, true);
        _time.Advance(Debounce / 2);
        _pins.SetPin(Line, false);
        _time.Advance(Debounce * 2);

        Assert.False(loop.VehiclePresent);
        Assert.Empty(Drain(loop));

        // The cancelled debounce does not fire later.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(loop.VehiclePresent);
        Assert.Empty(Drain(loop));
    }

    [Fact]
    public void Without_debounce_every_edge_counts_at_once()
    {
        using var loop = new LoopDetector(_gpio, new LoopDetectorOptions { Line = Line, Debounce = TimeSpan.Zero }, _time, _logger);

        _pins.SetPin(Line, true);
        Assert.True(loop.VehiclePresent);
        _pins.SetPin(Line, false);

        Assert.Equal([true, false], Drain(loop).Select(c => c.VehiclePresent));
    }

    [Fact]
    public void An_active_low_detector_reports_a_vehicle_while_its_pin_is_low()
    {
        _pins.SetPin(Line, true);
        using var loop = Detector(activeLow: true);
        Assert.False(loop.VehiclePresent);

        _pins.SetPin(Line, false);
        _time.Advance(Debounce);
        Assert.True(loop.VehiclePresent);

        _time.Advance(TimeSpan.FromSeconds(1));
        _pins.SetPin(Line, true);
        _time.Advance(Debounce);
        Assert.False(loop.VehiclePresent);
        Assert.Equal([true, false], Drain(loop).Select(c => c.VehiclePresent));
    }

    [Fact]
    public void A_vehicle_already_there_at_start_is_present()
    {
        _pins.SetPin(Line, true);
        using var loop = Detector(activeLow: false);

        Assert.True(loop.VehiclePresent);
        Assert.True(loop.VehiclePresentAt(_time.GetTimestamp()));
    }

    [Fact]
    public void An_undriven_input_with_a_pull_up_reads_its_pull_up()
    {
        using var loop = new LoopDetector(_gpio, new LoopDetectorOptions { Line = Line, ActiveLow = true, Bias = GpioBias.PullUp }, _time, _logger);

        Assert.Equal(PinMode.InputPullUp, _gpio.GetPinMode(Line));
        Assert.False(loop.VehiclePresent);
    }

    [Fact]
    public void Frames_are_marked_by_their_own_timestamp()
    {
        using var loop = Detector(activeLow: false);
        var beforeArrival = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(1));

        _pins.SetPin(Line, true);
        var arrival = _time.GetTimestamp();
        _time.Advance(Debounce);
        var during = _time.GetTimestamp();

        _time.Advance(TimeSpan.FromSeconds(1));
        _pins.SetPin(Line, false);
        var departure = _time.GetTimestamp();
        _time.Advance(Debounce);

        Assert.False(loop.VehiclePresentAt(beforeArrival));
        Assert.True(loop.VehiclePresentAt(arrival));
        Assert.True(loop.VehiclePresentAt(during));
        Assert.False(loop.VehiclePresentAt(departure));
        Assert.False(loop.VehiclePresent);
        Assert.Equal([true, false], Drain(loop).Select(c => c.VehiclePresent));
    }

    [Fact]
    public void A_reader_that_falls_behind_loses_the_oldest_changes_counted()
    {
        using var loop = new LoopDetector(_gpio, new LoopDetectorOptions { Line = Line, Debounce = TimeSpan.Zero }, _time, _logger);

        for (var i = 0; i < LoopDetector.ChangesCapacity + 3; i++)
        {
            _pins.SetPin(Line, i % 2 == 0);
        }

        Assert.Equal(3, loop.DroppedChanges);
        Assert.Equal(LoopDetector.ChangesCapacity, Drain(loop).Count);
    }

    [Fact]
    public void After_dispose_the_detector_stops_listening_and_its_timer_is_gone()
    {
        var loop = Detector(activeLow: false);
        _pins.SetPin(Line, true);

        loop.Dispose();
        _time.Advance(Debounce);
        _pins.SetPin(Line, false);

        _time.Advance(TimeSpan.FromHours(1));

        Assert.False(loop.VehiclePresent);
        Assert.True(loop.Changes.Completion.IsCompleted);
    }

    private LoopDetector Detector(bool activeLow) =>
        new(_gpio, new LoopDetectorOptions { Line = Line, ActiveLow = activeLow }, _time, _logger);

    private static List<PresenceChange> Drain(LoopDetector loop)
    {
        var changes = new List<PresenceChange>();
        while (loop.Changes.TryRead(out var change))
        {
            changes.Add(change);
        }

        return changes;
    }
}
