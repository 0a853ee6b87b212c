using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Shared.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>The watchlist version the box holds, or null before the first sync (the watchlist stage provides it).</summary>
public delegate long? WatchlistVersionReader();

/// <summary>
/// Every <see cref="DeliveryOptions.HeartbeatInterval"/>: applies the outbox's bounds (so an age bound bites even
/// when no hit arrives; evictions are counted and logged by the outbox), deletes unmatched reads past their retention,
/// and publishes a <see cref="HeartbeatEvent"/> on the heartbeat topic at QoS 0 while connected. A heartbeat is a
/// report of now: one missed while offline is not worth queueing, so none is stored. The sources other than the
/// outbox are optional, set by the registration when their stage exists.
/// </summary>
public sealed class HeartbeatService : BackgroundService
{
    /// <summary>The SoC's first thermal zone, in millidegrees Celsius (Linux sysfs thermal ABI).</summary>
    public const string DefaultTemperaturePath = "/sys/class/thermal/thermal_zone0/temp";

    private readonly Outbox _outbox;
    private readonly DeliveryService _delivery;
    private readonly CameraIdentity _camera;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _started;
    private (long Frames, long Timestamp) _previous;
    private bool _previousKnown;

    /// <param name="outbox">The outbox whose depth, age and evictions are reported (owned by the container).</param>
    /// <param name="delivery">Delivery, for its counters and read retention.</param>
    /// <param name="camera">Site and camera ids and topics.</param>
    /// <param name="options">The interval.</param>
    /// <param name="time">The clock (uptime, interval, times).</param>
    /// <param name="logger">The heartbeat's log.</param>
    public HeartbeatService(
        Outbox outbox, DeliveryService delivery, CameraIdentity camera, DeliveryOptions options, TimeProvider time, ILogger<HeartbeatService> logger)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _delivery = delivery ?? throw new ArgumentNullException(nameof(delivery));
        _camera = camera ?? throw new ArgumentNullException(nameof(camera));
        _interval = (options ?? throw new ArgumentNullException(nameof(options))).HeartbeatInterval;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _started = time.GetTimestamp();
    }

    /// <summary>Where heartbeats go; null (MQTT off) makes them log lines only.</summary>
    public MqttTransport? Transport { get; init; }

    /// <summary>Capture's status (frames, drops), when there is a camera stage.</summary>
    public Func<CaptureStatus>? Capture { get; init; }

    /// <summary>Frames waiting for processing, when there is a frame queue.</summary>
    public Func<int>? FrameQueueDepth { get; init; }

    /// <summary>The watchlist version, when there is a watchlist.</summary>
    public WatchlistVersionReader? WatchlistVersion { get; init; }

    /// <summary>The temperature file; default <see cref="DefaultTemperaturePath"/>.</summary>
    public string TemperaturePath { get; init; } = DefaultTemperaturePath;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);

        // Said once the timer is armed: the interval counts from here (a test on a fake clock moves it from here too).
        Log.HeartbeatsStarted(_logger, _interval, _camera.HeartbeatTopic);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await BeatAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop's catch: a failed heartbeat must not end the next ones.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.HeartbeatFailed(_logger, ex);
            }
        }
    }

    /// <summary>One heartbeat: bounds, read retention, the report, published if connected. Returns the report.</summary>
    internal async Task<HeartbeatEvent> BeatAsync(CancellationToken cancellationToken = default)
    {
        _outbox.EnforceBounds();
        _delivery.ExpireReads();
        var heartbeat = Snapshot();
        Log.HeartbeatMade(_logger, heartbeat.OutboxDepth, heartbeat.OldestUndeliveredSeconds, heartbeat.OutboxEvicted, heartbeat.FramesPerSecond);
        if (Transport is { IsConnected: true } transport)
        {
            // QoS 0: done once written; the interval bounds the wait, so a stuck socket cannot hold up the next beat.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_interval);
            try
            {
                await transport.PublishAsync(
                    _camera.HeartbeatTopic, JsonSerializer.SerializeToUtf8Bytes(heartbeat, EventJson.Default.HeartbeatEvent), MqttQos.AtMostOnce, retain: false, deadline.Token);
            }
            catch (MqttException ex)
            {
                Log.HeartbeatNotPublished(_logger, _camera.HeartbeatTopic, ex.Message);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Log.HeartbeatNotPublished(_logger, _camera.HeartbeatTopic, $"not sent within {_interval}");
            }
        }

        return heartbeat;
    }

    /// <summary>The report as of now; frames per second are measured since the previous snapshot.</summary>
    internal HeartbeatEvent Snapshot()
    {
        var now = _time.GetTimestamp();
        var capture = Capture?.Invoke();
        double? framesPerSecond = null;
        if (capture is not null)
        {
            var (frames, since) = _previousKnown ? _previous : (0L, _started);
            var elapsed = _time.GetElapsedTime(since, now).TotalSeconds;
            framesPerSecond = elapsed > 0 ? Math.Round((capture.Frames - frames) / elapsed, 2) : null;
            _previous = (capture.Frames, now);
            _previousKnown = true;
        }

        var oldest = _outbox.OldestAge;
        return new HeartbeatEvent(
            _camera.SiteId,
            _camera.CameraId,
            _time.GetUtcNow(),
            Math.Round(_time.GetElapsedTime(_started, now).TotalSeconds, 3),
            framesPerSecond,
            capture?.Frames,
            capture?.Dropped,
            FrameQueueDepth?.Invoke(),
            _outbox.Count,
            _outbox.Bytes,
            oldest is { } age ? Math.Round(age.TotalSeconds, 3) : null,
            _outbox.Evicted,
            _delivery.Stats.Acknowledged,
            WatchlistVersion?.Invoke(),
            CpuTemperature.Read(TemperaturePath));
    }
}
