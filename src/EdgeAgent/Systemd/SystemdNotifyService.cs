using System.Globalization;
using System.Net.Sockets;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Systemd;

/// <summary>
/// Tells systemd how the service is doing (DESIGN.md, "systemd"), through <see cref="ISystemdNotifier"/>:
/// <list type="bullet">
/// <item><c>READY=1</c> once the host has started: options valid, database open, every stage started, whether or not
/// the camera answers.</item>
/// <item><c>WATCHDOG=1</c>, at a third of <c>WATCHDOG_USEC</c>, while no stage has been busy on one item for longer than
/// <see cref="WatchdogOptions.StageTimeout"/>. A camera that is down does not stop them: capture retries it, and a
/// restart would not bring it back, only cut off delivery of the outbox.</item>
/// <item><c>STATUS=</c> with the camera's state (or the stuck stage), and <c>STOPPING=1</c> on shutdown.</item>
/// </list>
/// Does nothing when the process was not started with a notify socket.
/// </summary>
internal sealed class SystemdNotifyService(
    ISystemdNotifier notifier,
    CaptureService capture,
    PipelineStats stats,
    PipelineLiveness liveness,
    IOptions<WatchdogOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SystemdNotifyService> logger) : BackgroundService
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");
    private readonly TimeSpan? _watchdog = WatchdogInterval();
    private readonly TimeSpan _stageTimeout = options.Value.StageTimeout;
    private bool _ready;
    private bool _stuck;
    private bool _failing;
    private string? _lastStatus;

    /// <summary>How often state is checked: a third of the watchdog interval (sd_watchdog_enabled(3) asks for under half), at most once a second.</summary>
    internal TimeSpan Interval => _watchdog is { } w ? TimeSpan.FromTicks(Math.Min(w.Ticks / 3, TimeSpan.TicksPerSecond)) : TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        Log.Enabled(logger, _watchdog, _stageTimeout);
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
        var stuck = liveness.Stuck(_stageTimeout);
        var status = stuck is null
            ? StatusLine(capture.Status, stats.FramesProcessed)
            : $"stuck: {stuck.Stage} busy on one item for over {(_stageTimeout + stuck.Allowance).TotalSeconds:0.#} s, watchdog pings stopped";
        if (status != _lastStatus && Send(new ServiceState("STATUS=" + status)))
        {
            _lastStatus = status;
        }

        // The host starts its hosted services in order and signals ApplicationStarted after the last has started:
        // by then the options were validated, the database opened and the pipeline's stages launched.
        if (!_ready && lifetime.ApplicationStarted.IsCancellationRequested)
        {
            _ready = Send(ServiceState.Ready);
        }

        var isStuck = stuck is not null;
        if (isStuck != _stuck)
        {
            _stuck = isStuck;
            if (stuck is not null)
            {
                Log.StageStuck(logger, stuck.Stage, stuck.BusyFor, _stageTimeout + stuck.Allowance);
            }
            else
            {
                Log.StagesMoving(logger);
            }
        }

        if (_ready && _watchdog is not null && stuck is null)
        {
            Send(Watchdog);
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        Send(ServiceState.Stopping);
        return base.StopAsync(cancellationToken);
    }

    /// <summary>
    /// Sends one notification. <see cref="SystemdNotifier.Notify"/> throws when <c>NOTIFY_SOCKET</c> names a socket that
    /// is gone (DESIGN.md); that is logged once and the service runs on.
    /// </summary>
    private bool Send(ServiceState state)
    {
        if (!notifier.IsEnabled)
        {
            return false;
        }

        try
        {
            notifier.Notify(state);
            _failing = false;
            return true;
        }
        catch (SocketException ex)
        {
            if (!_failing)
            {
                Log.NotifyFailed(logger, ex.Message);
                _failing = true;
            }

            return false;
        }
    }

    /// <summary>The watchdog interval systemd expects pings within (<c>$WATCHDOG_USEC</c>), if it set one for this process.</summary>
    internal static TimeSpan? WatchdogInterval()
    {
        // WATCHDOG_PID, when set, names the process the watchdog is meant for (sd_watchdog_enabled(3)).
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is { Length: > 0 } && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    /// <summary>One line, no line breaks (each notification is newline-separated KEY=VALUE pairs, sd_notify(3)).</summary>
    internal static string StatusLine(CaptureStatus status, long framesProcessed) => (status.State switch
    {
        CaptureState.Running => $"running: {framesProcessed} frames processed, {status.Dropped} dropped",
        CaptureState.Retrying => $"camera down (restart {status.Restarts}): {status.Problem}",
        CaptureState.Failed => $"camera failed: {status.Problem}",
        CaptureState.Ended => $"input ended after {status.Frames} frames",
        _ => "starting",
    }).ReplaceLineEndings(" ");
}
