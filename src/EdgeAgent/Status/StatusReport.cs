using System.Reflection;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Storage;

namespace EdgeAnpr.Agent.Status;

/// <summary>
/// Builds the running agent's <see cref="StatusDocument"/> from the figures the stages already keep (capture's status,
/// the pipeline's counters and liveness marks, the outbox, the MQTT link, the watchlist store) and the few the status
/// endpoint adds (<see cref="StageRates"/>, <see cref="PassCounts"/>). The sources other than the pipeline's own are
/// optional, set by the registration when their stage exists (a box without MQTT has no broker part).
/// </summary>
public sealed class StatusReport
{
    private readonly TimeProvider _time;
    private readonly PipelineStats _stats;
    private readonly PipelineLiveness _liveness;
    private readonly TimeSpan _stageTimeout;
    private readonly StageRates _rates;
    private readonly long _started;

    /// <param name="time">The clock (uptime, ages, rates).</param>
    /// <param name="stats">The processing stages' counters.</param>
    /// <param name="liveness">The stages' busy marks.</param>
    /// <param name="stageTimeout">When a busy stage counts as stuck (<c>Watchdog:StageTimeout</c>).</param>
    public StatusReport(TimeProvider time, PipelineStats stats, PipelineLiveness liveness, TimeSpan stageTimeout)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _stats = stats ?? throw new ArgumentNullException(nameof(stats));
        _liveness = liveness ?? throw new ArgumentNullException(nameof(liveness));
        _stageTimeout = stageTimeout;
        _rates = new StageRates(time);
        _started = time.GetTimestamp();
    }

    /// <summary>The program's version, as <c>--version</c> prints it.</summary>
    public static string AgentVersion { get; } =
        typeof(StatusReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public CameraIdentity? Identity { get; init; }

    /// <summary>Capture's status, when there is a camera stage.</summary>
    public Func<CaptureStatus>? Capture { get; init; }

    /// <summary>Frames waiting for processing.</summary>
    public Func<int>? FrameQueueDepth { get; init; }

    public Outbox? Outbox { get; init; }

    /// <summary>The MQTT link, when MQTT is configured.</summary>
    public Func<MqttConnectionStatus>? Broker { get; init; }

    public WatchlistStore? Watchlist { get; init; }

    public PassCounts? Passes { get; init; }

    /// <summary>The configured models (read once at start: the files do not change under a running agent).</summary>
    public IReadOnlyList<ModelVersion> Models { get; init; } = [];

    /// <summary>The temperature file; default <see cref="HeartbeatService.DefaultTemperaturePath"/>.</summary>
    public string TemperaturePath { get; init; } = HeartbeatService.DefaultTemperaturePath;

    /// <summary>Records the counters for the rates; the status endpoint calls it once a second.</summary>
    public void Sample() => _rates.Sample(Capture?.Invoke().Frames ?? 0, _stats.FramesProcessed, _stats.Passes);

    /// <summary>The document as of now, its problems included.</summary>
    public StatusDocument Build()
    {
        var now = _time.GetTimestamp();
        var rates = _rates.Current();
        var capture = Capture?.Invoke();
        var document = new StatusDocument(
            AgentRunning: true,
            AgentVersion,
            _time.GetUtcNow(),
            Math.Round(_time.GetElapsedTime(_started, now).TotalSeconds, 1),
            Identity?.SiteId,
            Identity?.CameraId,
            capture is null ? null : Camera(capture, rates?.Captured, now),
            new PipelineStatusPart(
                [
                    Stage(_liveness.Capture, rates?.Captured),
                    Stage(_liveness.Frames, rates?.Processed),
                    Stage(_liveness.Passes, rates?.Passes),
                ],
                FrameQueueDepth?.Invoke(),
                _stats.FramesProcessed,
                _stats.FramesFailed,
                _stats.DetectorRuns,
                _stats.Passes,
                _stats.Hits),
            Passes?.LastHour(),
            Outbox is { } outbox ? new OutboxStatusPart(outbox.Count, outbox.Bytes, Seconds(outbox.OldestAge), outbox.Evicted) : null,
            Broker?.Invoke() is { } broker ? new BrokerStatusPart(CamelCase(broker.State.ToString()), broker.Reason, broker.Since, broker.Connects) : null,
            Watchlist is { } watchlist ? new WatchlistStatusPart(watchlist.CurrentVersion?.Version, watchlist.Count) : null,
            Models,
            CpuTemperature.Read(TemperaturePath),
            []);
        return document with { Problems = StatusProblems.Find(document) };
    }

    internal static string CamelCase(string name) => string.Concat(char.ToLowerInvariant(name[0]).ToString(), name.AsSpan(1));

    private CameraStatusPart Camera(CaptureStatus capture, double? framesPerSecond, long now) => new(
        CamelCase(capture.State.ToString()),
        capture.Problem,
        capture.Decoder,
        capture.Format?.Width,
        capture.Format?.Height,
        capture.Format is { FramesPerSecond: > 0 } format ? Math.Round(format.FramesPerSecond, 2) : null,
        framesPerSecond,
        capture.Frames,
        capture.Dropped,
        capture.Restarts,
        capture.LastFrameTimestamp is { } last ? Math.Round(_time.GetElapsedTime(last, now).TotalSeconds, 2) : null);

    private StageStatusPart Stage(StageLiveness stage, double? rate) =>
        new(stage.Stage, rate, Math.Round(stage.BusyFor.TotalSeconds, 2), stage.IsStuck(_stageTimeout));

    private static double? Seconds(TimeSpan? span) => span is { } value ? Math.Round(value.TotalSeconds, 1) : null;
}
