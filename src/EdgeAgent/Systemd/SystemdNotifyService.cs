using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Systemd;

/// <summary>
/// Tells systemd how the service is doing: <c>READY=1</c> once frames flow through the pipeline,
/// <c>WATCHDOG=1</c> only while they keep flowing (a wedged pipeline then gets restarted by
/// <c>WatchdogSec=</c>), a one-line <c>STATUS=</c>, and <c>STOPPING=1</c> on shutdown.
/// Does nothing when the process was not started by systemd.
/// </summary>
internal sealed partial class SystemdNotifyService(
    CaptureService capture,
    PipelineStats stats,
    TimeProvider time,
    ILogger<SystemdNotifyService> logger) : BackgroundService
{
    private readonly SdNotify? _notify = SdNotify.FromEnvironment();
    private readonly TimeSpan? _watchdog = SdNotify.WatchdogInterval();
    private bool _ready;
    private long _framesAtLastPing = -1;
    private string? _lastStatus;

    /// <summary>How often state is checked: a third of the watchdog interval (sd_watchdog_enabled(3) asks for under half), at most once a second.</summary>
    internal TimeSpan Interval => _watchdog is { } w ? TimeSpan.FromTicks(Math.Min(w.Ticks / 3, TimeSpan.TicksPerSecond)) : TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_notify is null)
        {
            return;
        }

        LogEnabled(_watchdog);
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                Step();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal void Step()
    {
        var frames = stats.FramesProcessed;
        var status = StatusLine(capture.Status, frames);
        if (status != _lastStatus)
        {
            _notify?.Send("STATUS=" + status);
            _lastStatus = status;
        }

        if (!_ready && frames > 0)
        {
            _ready = _notify?.Send("READY=1") ?? false;
        }

        if (_ready && _watchdog is not null && frames > _framesAtLastPing)
        {
            _notify?.Send("WATCHDOG=1");
            _framesAtLastPing = frames;
        }

    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _notify?.Send("STOPPING=1");
        return base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _notify?.Dispose();
        base.Dispose();
    }

    internal static string StatusLine(CaptureStatus status, long framesProcessed) => status.State switch
    {
        CaptureState.Running => $"running: {framesProcessed} frames processed, {status.Dropped} dropped",
        CaptureState.Retrying => $"camera down (restart {status.Restarts}): {status.Problem}",
        CaptureState.Failed => $"camera failed: {status.Problem}",
        CaptureState.Ended => $"input ended after {status.Frames} frames",
        _ => "starting",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd notification enabled, watchdog interval {Watchdog}")]
    private partial void LogEnabled(TimeSpan? watchdog);
}
