using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Hardware;

public sealed class SimulatedGpioChipTests : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(20);

    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _end = new();
    private readonly SimulatedGpioChip _chip;

    public SimulatedGpioChipTests()
    {
        _chip = new SimulatedGpioChip(_time, lineCount: 32);
    }

    public void Dispose()
    {
        // Reads still waiting end cancelled, not faulted by the chip's closing.
        _end.Cancel();
        _end.Dispose();
        _chip.Dispose();
    }

    [Fact]
    public void Outputs_record_logical_value_pin_level_and_time()
    {
        _chip.OpenOutput(4, false, activeLow: true);
        _time.Advance(TimeSpan.FromSeconds(1));
        _chip.Write(4, true);
        _chip.Write(4, true);

        Assert.Equal(
            [new GpioOutputChange(4, false, true, Start), new GpioOutputChange(4, true, false, Start.AddSeconds(1))],
            _chip.ChangesOf(4));
        Assert.True(_chip.Read(4));
        Assert.False(_chip.IsHigh(4));
    }

    [Fact]
    public async Task Bounces_shorter_than_the_debounce_are_ignored_and_a_steady_change_is_reported_once_when_it_has_held()
    {
        _chip.OpenInput(5, new GpioInputSettings(Debounce: Debounce));
        var read = Next(5);

        // A contact chattering for 15 ms, every bounce inside the debounce period, then settling high.
        foreach (var high in new[] { true, false, true, false, true })
        {
            _chip.SetPin(5, high);
            _time.Advance(TimeSpan.FromMilliseconds(3));
        }

        Assert.False(read.IsCompleted);
        Assert.False(_chip.Read(5));

        _time.Advance(Debounce - TimeSpan.FromMilliseconds(3));
        var edge = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GpioEdge.Rising, edge.Edge);
        Assert.Equal(1u, edge.LineSequence);
        Assert.Equal(_time.GetTimestamp(), edge.Timestamp);
        Assert.True(_chip.Read(5));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(Next(5).IsCompleted);
    }

    [Fact]
    public void A_pulse_that_returns_within_the_debounce_reports_nothing()
    {
        _chip.OpenInput(5, new GpioInputSettings(Debounce: Debounce));
        _chip.SetPin(5, true);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _chip.SetPin(5, false);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(Next(5).IsCompleted);
        Assert.False(_chip.Read(5));
    }

    [Fact]
    public async Task Active_low_inverts_values_and_edges()
    {
        _chip.SetPin(6, true);
        _chip.OpenInput(6, new GpioInputSettings(ActiveLow: true));
        Assert.False(_chip.Read(6));

        _chip.SetPin(6, false);
        var edge = Next(6);

        Assert.True(edge.IsCompleted);
        Assert.Equal(GpioEdge.Rising, (await edge).Edge);
        Assert.True(_chip.Read(6));
    }

    [Fact]
    public async Task Only_the_requested_edges_are_reported()
    {
        _chip.OpenInput(7, new GpioInputSettings(Edges: GpioEdges.Falling));
        _chip.SetPin(7, true);
        _chip.SetPin(7, false);

        var edge = await _chip.ReadEdgeAsync(7, _end.Token);
        Assert.Equal(GpioEdge.Falling, edge.Edge);
        Assert.Equal(1u, edge.LineSequence);
        Assert.False(Next(7).IsCompleted);
    }

    [Fact]
    public async Task A_full_event_buffer_drops_the_oldest_leaving_a_gap_in_the_sequence()
    {
        _chip.OpenInput(8, new GpioInputSettings());
        for (var i = 0; i < SimulatedGpioChip.EventBuffer + 2; i++)
        {
            _chip.SetPin(8, i % 2 == 0);
        }

        Assert.Equal(3u, (await _chip.ReadEdgeAsync(8, _end.Token)).LineSequence);
    }

    [Fact]
    public void An_undriven_input_follows_its_pull_up()
    {
        _chip.OpenInput(9, new GpioInputSettings(Bias: GpioBias.PullUp));
        Assert.True(_chip.Read(9));
    }

    [Fact]
    public void Lines_are_checked()
    {
        _chip.OpenOutput(1, false);
        Assert.Throws<GpioException>(() => _chip.OpenOutput(1, false));
        Assert.Contains("lines 0 to 31", Assert.Throws<GpioException>(() => _chip.OpenOutput(32, false)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => _chip.Write(2, true));
        Assert.Throws<InvalidOperationException>(() => { _ = Next(1); });
    }

    private Task<GpioEdgeEvent> Next(int line) => _chip.ReadEdgeAsync(line, _end.Token).AsTask();

    private DateTimeOffset Start { get; } = new FakeTimeProvider().GetUtcNow();
}
