using System.ComponentModel.DataAnnotations;

namespace EdgeAnpr.Agent.Systemd;

/// <summary>
/// What the systemd watchdog pings vouch for (section <c>Watchdog</c>). The interval itself is the unit's
/// <c>WatchdogSec=</c>, which systemd hands over as <c>WATCHDOG_USEC</c>.
/// </summary>
public sealed class WatchdogOptions
{
    public const string SectionName = "Watchdog";

    /// <summary>Default of <see cref="StageTimeout"/>: far longer than any frame, read or commit takes on a Pi.</summary>
    public static readonly TimeSpan DefaultStageTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A stage busy on one item for longer than this (capture on one read beyond its own connect and stall timeouts,
    /// the frame stage on one frame, the pass stage on one pass and its commit) is wedged: <c>WATCHDOG=1</c> pings
    /// stop, <c>STATUS=</c> names the stage, and systemd restarts the service after <c>WatchdogSec=</c>. Default
    /// <see cref="DefaultStageTimeout"/> (30 s). A camera that sends nothing is not a wedge: capture retries it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StageTimeout { get; set; } = DefaultStageTimeout;
}
