using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Systemd;

/// <summary>Log messages of the systemd notifications (event ids 8000-8099).</summary>
internal static partial class Log
{
    [LoggerMessage(8000, LogLevel.Information, "systemd notification enabled, watchdog interval {Watchdog}, stage timeout {StageTimeout}")]
    public static partial void Enabled(ILogger logger, TimeSpan? watchdog, TimeSpan stageTimeout);

    // Once per failure streak: a socket that is gone stays gone, and the service runs on without it.
    [LoggerMessage(8001, LogLevel.Warning, "systemd notification failed, running on without it: {Problem}")]
    public static partial void NotifyFailed(ILogger logger, string problem);

    [LoggerMessage(8002, LogLevel.Error, "Watchdog pings stopped: the {Stage} stage has been busy on one item for {BusyFor} (limit {Limit}); systemd will restart the service")]
    public static partial void StageStuck(ILogger logger, string stage, TimeSpan busyFor, TimeSpan limit);

    [LoggerMessage(8003, LogLevel.Warning, "Watchdog pings resumed: the stages are moving again")]
    public static partial void StagesMoving(ILogger logger);
}
