using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Pipeline;

/// <summary>The stages' busy-since marks, on a fake clock: only an item that does not finish makes a stage stuck.</summary>
public sealed class StageLivenessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Waiting_for_work_is_never_stuck()
    {
        var liveness = new PipelineLiveness(_time, captureAllowance: TimeSpan.FromSeconds(15));

        _time.Advance(TimeSpan.FromHours(1));

        Assert.Null(liveness.Stuck(Limit));
        Assert.Equal(TimeSpan.Zero, liveness.Frames.BusyFor);
    }

    [Fact]
    public void A_stage_on_one_item_past_the_limit_is_stuck_until_it_finishes()
    {
        var liveness = new PipelineLiveness(_time, captureAllowance: TimeSpan.FromSeconds(15));

        liveness.Passes.Busy();
        _time.Advance(Limit);
        Assert.Null(liveness.Stuck(Limit));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(liveness.Passes, liveness.Stuck(Limit));
        Assert.Equal(TimeSpan.FromSeconds(31), liveness.Passes.BusyFor);

        liveness.Passes.Idle();
        Assert.Null(liveness.Stuck(Limit));
    }

    [Fact]
    public void Each_new_item_starts_the_count_again()
    {
        var liveness = new PipelineLiveness(_time, captureAllowance: TimeSpan.Zero);

        for (var i = 0; i < 10; i++)
        {
            liveness.Frames.Busy();
            _time.Advance(TimeSpan.FromSeconds(20));
            liveness.Frames.Idle();
        }

        Assert.Null(liveness.Stuck(Limit));
    }

    [Fact]
    public void Capture_may_wait_its_own_connect_and_stall_timeouts_before_the_limit_counts()
    {
        var liveness = new PipelineLiveness(_time, captureAllowance: TimeSpan.FromSeconds(15));

        liveness.Capture.Busy();
        _time.Advance(Limit + TimeSpan.FromSeconds(15));
        Assert.Null(liveness.Stuck(Limit));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(liveness.Capture, liveness.Stuck(Limit));
        Assert.Equal("capture", liveness.Capture.Stage);
    }
}
