namespace EdgeAnpr.Agent.Status;

/// <summary>
/// What <c>status\n</c> on the status socket answers, one JSON document (<see cref="StatusJson"/>, camelCase), and what
/// <c>edge-anpr status --json</c> prints. Built by the agent (<see cref="StatusReport"/>) or, when the agent is not
/// running, by the CLI from the database and files alone: then <see cref="AgentRunning"/> is false and the live parts
/// are null. Times are UTC; durations in seconds; a figure the box cannot know is null, never 0.
/// </summary>
public sealed record StatusDocument(
    bool AgentRunning,
    string AgentVersion,
    DateTimeOffset Time,
    double? UptimeSeconds,
    string? SiteId,
    string? CameraId,
    CameraStatusPart? Camera,
    PipelineStatusPart? Pipeline,
    LastHourPart? LastHour,
    OutboxStatusPart? Outbox,
    BrokerStatusPart? Broker,
    WatchlistStatusPart? Watchlist,
    IReadOnlyList<ModelVersion> Models,
    double? CpuTemperatureCelsius,
    IReadOnlyList<StatusProblem> Problems)
{
    public bool Healthy => Problems.Count == 0;
}

/// <param name="State">Capture's state: starting, running, retrying, ended, failed.</param>
/// <param name="Problem">The camera's last error while it is not running; null while frames flow.</param>
/// <param name="Decoder">The H.264 decoder ffmpeg runs (<c>Capture:Decoder</c>); null until capture reports it.</param>
/// <param name="LastFrameAgeSeconds">Since the last frame arrived; null before the first.</param>
public sealed record CameraStatusPart(
    string State,
    string? Problem,
    string? Decoder,
    int? Width,
    int? Height,
    double? SourceFramesPerSecond,
    double? FramesPerSecond,
    long Frames,
    long Dropped,
    int Restarts,
    double? LastFrameAgeSeconds);

/// <param name="Stages">Capture, frame processing and pass matching, in pipeline order.</param>
/// <param name="FrameQueueDepth">Frames waiting between capture and processing.</param>
public sealed record PipelineStatusPart(
    IReadOnlyList<StageStatusPart> Stages,
    int? FrameQueueDepth,
    long FramesProcessed,
    long FramesFailed,
    long DetectorRuns,
    long Passes,
    long Hits);

/// <param name="Name">The stage's name, as the watchdog's status line says it.</param>
/// <param name="RatePerSecond">Items per second over the last few seconds (frames, or vehicle passes); null until measured.</param>
/// <param name="BusySeconds">How long the stage has been on its current item; 0 while it waits for work.</param>
/// <param name="Stuck">Busy on one item for longer than <c>Watchdog:StageTimeout</c> (plus its allowance).</param>
public sealed record StageStatusPart(string Name, double? RatePerSecond, double BusySeconds, bool Stuck);

/// <param name="Reads">Vehicle passes read in the last hour (hit or not), since the agent started if that is shorter.</param>
/// <param name="Hits">Of those, watchlist hits committed to the outbox.</param>
public sealed record LastHourPart(long Reads, long Hits);

/// <param name="Depth">Hits stored and not yet acknowledged by the broker.</param>
/// <param name="OldestAgeSeconds">How long the oldest of them has waited; null when the outbox is empty.</param>
public sealed record OutboxStatusPart(int Depth, long Bytes, double? OldestAgeSeconds, long? Evicted);

/// <param name="State">The MQTT link: notStarted, connecting, connected, disconnected, refused, stopped.</param>
/// <param name="Reason">Why it is not up; null while connected.</param>
public sealed record BrokerStatusPart(string State, string? Reason, DateTimeOffset Since, long Connects);

/// <param name="Version">The version of the last list synced from the station; null before the first sync.</param>
public sealed record WatchlistStatusPart(long? Version, long Entries);

/// <param name="Role">detector, reader-ir or reader-latin.</param>
/// <param name="Sha256">The first 12 hex digits of the model file's SHA-256 (the model card names the full one).</param>
/// <param name="Version">The sidecar's <c>version</c> when it has one.</param>
/// <param name="Problem">Why the file could not be read; null when it could.</param>
public sealed record ModelVersion(string Role, string Path, long? Bytes, string? Sha256, string? Version, string? Problem);

/// <param name="Problem">What is wrong, one line.</param>
/// <param name="Fix">What to do about it, one line.</param>
public sealed record StatusProblem(string Problem, string Fix);
