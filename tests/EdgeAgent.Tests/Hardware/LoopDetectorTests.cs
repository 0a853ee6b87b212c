using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Hardware;

public sealed class LoopDetectorTests : IDisposable
{
    private const int Line = 22;
    private static readonly TimeSpan Debounce = LoopDetectorOptions.DefaultDebounce;

    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _end = new();
    private readonly SimulatedGpioChip _chip;
    private readonly TestLogger<LoopDetector> _logger = new();

    public LoopDetectorTests()
    {
        _chip = new SimulatedGpioChip(_time);
    }

    public void Dispose()
    {
        // Steps still waiting end cancelled, not faulted by the chip's closing.
        _end.Cancel();
        _end.Dispose();
        _chip.Dispose();
        _logger.AssertNoErrors();
    }

    [Fact]
    public async Task Contact_bounce_is_ignored_and_an_arrival_is_reported_once_dated_when_the_contact_settled()
    {
        using var loop = Detector(activeLow: false);
        var step = loop.StepAsync(_end.Token);

        // The contact closes with 8 ms of bounce, then holds.
        _chip.SetPin(Line, true);
        _time.Advance(TimeSpan.FromMilliseconds(4));
        _chip.SetPin(Line, false);
        _time.Advance(TimeSpan.FromMilliseconds(4));
        _chip.SetPin(Line, true);
        var settled = _time.GetTimestamp();
        var settledAt = _time.GetUtcNow();
        _time.Advance(Debounce - TimeSpan.FromMilliseconds(1));
        Assert.False(step.IsCompleted);
        Assert.False(loop.VehiclePresent);

        // The waiting read resumes on the thread pool (the channel runs no continuation inline); the clock stays put.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await step.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(loop.VehiclePresent);
        Assert.True(loop.Changes.TryRead(out var change));
        Assert.Equal(new PresenceChange(true, settled, settledAt), change);
        Assert.False(loop.Changes.TryRead(out _));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(loop.StepAsync(_end.Token).IsCompleted);
    }

    [Fact]
    public void A_blip_shorter_than_the_debounce_is_not_a_vehicle()
    {
        using var loop = Detector(activeLow: false);
        var step = loop.StepAsync(_end.Token);

        _chip.SetPin(Line, true);
        _time.Advance(Debounce / 2);
        _chip.SetPin(Line, false);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(step.IsCompleted);
        Assert.False(loop.VehiclePresent);
    }

    [Fact]
    public void An_active_low_detector_reports_a_vehicle_while_its_pin_is_low()
    {
        _chip.SetPin(Line, true);
        using var loop = Detector(activeLow: true);
        Assert.False(loop.VehiclePresent);

        _chip.SetPin(Line, false);
        _time.Advance(Debounce);
        Assert.True(loop.StepAsync(_end.Token).IsCompletedSuccessfully);
        Assert.True(loop.VehiclePresent);

        _time.Advance(TimeSpan.FromSeconds(1));
        _chip.SetPin(Line, true);
        _time.Advance(Debounce);
        Assert.True(loop.StepAsync(_end.Token).IsCompletedSuccessfully);
        Assert.False(loop.VehiclePresent);
    }

    [Fact]
    public void A_vehicle_already_there_at_start_is_present()
    {
        _chip.SetPin(Line, true);
        using var loop = Detector(activeLow: false);

        Assert.True(loop.VehiclePresent);
        Assert.True(loop.VehiclePresentAt(_time.GetTimestamp()));
    }

    [Fact]
    public async Task Frames_are_marked_by_their_own_timestamp()
    {
        using var loop = Detector(activeLow: false);
        var beforeArrival = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(1));

        _chip.SetPin(Line, true);
        var arrival = _time.GetTimestamp();
        _time.Advance(Debounce);
        await loop.StepAsync(_end.Token);
        var during = _time.GetTimestamp();

        _time.Advance(TimeSpan.FromSeconds(1));
        _chip.SetPin(Line, false);
        var departure = _time.GetTimestamp();
        _time.Advance(Debounce);
        await loop.StepAsync(_end.Token);

        Assert.False(loop.VehiclePresentAt(beforeArrival));
        Assert.True(loop.VehiclePresentAt(arrival));
        Assert.True(loop.VehiclePresentAt(during));
        Assert.False(loop.VehiclePresentAt(departure));
        Assert.False(loop.VehiclePresent);
        Assert.Equal([true, false], Drain(loop).Select(c => c.VehiclePresent));
    }

    [Fact]
    public async Task The_service_follows_the_loop_until_stopped()
    {
        using var loop = Detector(activeLow: false);
        await loop.StartAsync(CancellationToken.None);

        _chip.SetPin(Line, true);
        _time.Advance(Debounce);
        var change = await loop.Changes.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(change.VehiclePresent);
        Assert.True(loop.VehiclePresent);
        await loop.StopAsync(CancellationToken.None);
    }

    private LoopDetector Detector(bool activeLow) =>
        new(_chip, new LoopDetectorOptions { Line = Line, ActiveLow = activeLow }, _time, _logger);

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
