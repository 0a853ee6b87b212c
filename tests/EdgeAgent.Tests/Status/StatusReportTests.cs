using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Status;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Status;

/// <summary>The status document built from the stages' figures, on a fake clock.</summary>
public sealed class StatusReportTests
{
    private static readonly TimeSpan StageTimeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly PipelineStats _stats = new();
    private CaptureStatus _capture = new(CaptureState.Starting, null, null, 0, 0, 0, null);

    [Fact]
    public void Rates_are_measured_over_the_last_samples_and_ages_on_the_clock()
    {
        var report = Report(new PipelineLiveness(_time, TimeSpan.Zero));
        report.Sample();
        Assert.Null(report.Build().Camera!.FramesPerSecond);

        // 10 s at 25 frames/s captured, 20 processed; the last frame arrived 0.5 s before the request.
        _time.Advance(TimeSpan.FromSeconds(9.5));
        var lastFrame = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(0.5));
        _capture = new CaptureStatus(CaptureState.Running, null, new FrameFormat(864, 576, 25), 250, 3, 1, lastFrame);
        for (var i = 0; i < 200; i++)
        {
            _stats.FrameProcessed();
        }

        report.Sample();
        var status = report.Build();

        Assert.True(status.AgentRunning);
        Assert.Equal(10, status.UptimeSeconds);
        Assert.Equal(_time.GetUtcNow(), status.Time);
        var camera = status.Camera!;
        Assert.Equal("running", camera.State);
        Assert.Equal((864, 576), (camera.Width, camera.Height));
        Assert.Equal(25, camera.SourceFramesPerSecond);
        Assert.Equal(25, camera.FramesPerSecond);
        Assert.Equal(0.5, camera.LastFrameAgeSeconds);
        Assert.Equal((250L, 3L, 1), (camera.Frames, camera.Dropped, camera.Restarts));
        Assert.Equal("software", camera.Decoder);
        Assert.Equal(["capture", "frame processing", "pass matching"], status.Pipeline!.Stages.Select(s => s.Name));
        Assert.Equal([25.0, 20.0, 0.0], status.Pipeline.Stages.Select(s => s.RatePerSecond!.Value));
        Assert.Equal(200, status.Pipeline.FramesProcessed);
        Assert.True(status.Healthy, string.Join("; ", status.Problems.Select(p => p.Problem)));
    }

    [Fact]
    public void Samples_older_than_the_window_are_forgotten()
    {
        var report = Report(new PipelineLiveness(_time, TimeSpan.Zero));
        report.Sample();

        // A burst long ago, then 10 s at 5 frames/s: the rate is the recent one.
        _capture = _capture with { Frames = 1000 };
        _time.Advance(TimeSpan.FromSeconds(1));
        report.Sample();
        for (var second = 1; second <= 11; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _capture = _capture with { Frames = 1000 + (5 * second) };
            report.Sample();
        }

        Assert.Equal(5, report.Build().Camera!.FramesPerSecond);
    }

    [Fact]
    public void A_stage_busy_past_the_watchdog_limit_is_stuck_and_a_problem()
    {
        var liveness = new PipelineLiveness(_time, TimeSpan.Zero);
        var report = Report(liveness);

        liveness.Passes.Busy();
        _time.Advance(StageTimeout + TimeSpan.FromSeconds(1));
        var status = report.Build();

        var stage = Assert.Single(status.Pipeline!.Stages, s => s.Stuck);
        Assert.Equal("pass matching", stage.Name);
        Assert.Equal(31, stage.BusySeconds);
        Assert.Contains(status.Problems, p => p.Problem.Contains("pass matching stage has been busy on one item for 31 s", StringComparison.Ordinal));
        Assert.False(status.Healthy);
    }

    [Fact]
    public void A_camera_down_and_a_refused_broker_are_problems_with_what_to_do()
    {
        _capture = new CaptureStatus(CaptureState.Retrying, "rtsp://cam: Connection refused", null, 0, 0, 3, null);
        var broker = new MqttConnectionStatus(MqttConnectionState.Refused, "not authorized", _time.GetUtcNow(), 0, 0);
        var report = new StatusReport(_time, _stats, new PipelineLiveness(_time, TimeSpan.Zero), StageTimeout)
        {
            Capture = () => _capture,
            Broker = () => broker,
        };

        var status = report.Build();

        Assert.Equal("retrying", status.Camera!.State);
        Assert.Equal("rtsp://cam: Connection refused", status.Camera.Problem);
        Assert.Equal("refused", status.Broker!.State);
        Assert.Collection(
            status.Problems,
            p =>
            {
                Assert.Equal("the camera is down (restart 3): rtsp://cam: Connection refused", p.Problem);
                Assert.Contains("Camera:Source", p.Fix, StringComparison.Ordinal);
            },
            p =>
            {
                Assert.Equal("the broker refuses this box: not authorized", p.Problem);
                Assert.Contains("Mqtt:Password", p.Fix, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Reads_and_hits_leave_the_last_hour_by_the_minute()
    {
        var counts = new PassCounts(_time);
        var withCounts = new StatusReport(_time, _stats, new PipelineLiveness(_time, TimeSpan.Zero), StageTimeout) { Passes = counts };

        counts.OnPass(null!);
        counts.OnHit(null!);
        _time.Advance(TimeSpan.FromMinutes(30));
        counts.OnPass(null!);
        Assert.Equal(new LastHourPart(2, 1), withCounts.Build().LastHour);

        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(new LastHourPart(1, 0), withCounts.Build().LastHour);

        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(new LastHourPart(0, 0), withCounts.Build().LastHour);
    }

    private StatusReport Report(PipelineLiveness liveness) => new(_time, _stats, liveness, StageTimeout)
    {
        Capture = () => _capture,
        TemperaturePath = "/nonexistent/temp",
    };
}
