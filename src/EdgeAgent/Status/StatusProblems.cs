using System.Globalization;

namespace EdgeAnpr.Agent.Status;

/// <summary>
/// What in a <see cref="StatusDocument"/> needs a person, each with what to do about it: the answer to "is this box
/// healthy". The thresholds are the points where a technician should act, not where a figure merely moved.
/// </summary>
internal static class StatusProblems
{
    /// <summary>No frame for this long while capture says it runs: the camera froze without closing the stream.</summary>
    public const double MaxFrameAgeSeconds = 5;

    /// <summary>More than this share of frames dropped: processing cannot keep up with the camera.</summary>
    public const double MaxDroppedShare = 0.05;

    /// <summary>Drops are judged only after this many frames (a start-up burst is not a trend).</summary>
    public const long MinFramesForDropShare = 250;

    /// <summary>More than this share of frames failed in inference: a model or the runtime is broken.</summary>
    public const double MaxFailedShare = 0.01;

    /// <summary>A hit waiting longer than this is not reaching the station (delivery retries within seconds).</summary>
    public static readonly TimeSpan MaxOutboxAge = TimeSpan.FromMinutes(10);

    /// <summary>Connecting for longer than this is a link that does not come up.</summary>
    public static readonly TimeSpan MaxConnecting = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Above this the board is close to throttling (a Raspberry Pi 4 and 5 throttle at 80-85 °C; an RK3588 at 85 °C),
    /// and frames/s fall with the clock.
    /// </summary>
    public const double MaxCpuTemperatureCelsius = 75;

    public static IReadOnlyList<StatusProblem> Find(StatusDocument status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var problems = new List<StatusProblem>();
        Camera(status, problems);
        Pipeline(status, problems);
        Delivery(status, problems);
        if (status.Watchlist is { Version: null, Entries: 0 })
        {
            problems.Add(new("the watchlist is empty: no plate can hit",
                "let the station publish the list (Watchlist settings), or import one: edge-anpr watchlist import FILE.csv"));
        }

        foreach (var model in status.Models.Where(m => m.Problem is not null))
        {
            problems.Add(new($"the {model.Role} model {model.Path} cannot be read: {model.Problem}",
                "reinstall the package (apt install --reinstall edge-anpr) or correct the model path in the configuration"));
        }

        if (status.CpuTemperatureCelsius is > MaxCpuTemperatureCelsius and var celsius)
        {
            problems.Add(new($"the CPU is at {celsius.ToString("0.0", CultureInfo.InvariantCulture)} °C, near throttling",
                "check the box's ventilation, heat sink and sun shield"));
        }

        return problems;
    }

    private static void Camera(StatusDocument status, List<StatusProblem> problems)
    {
        if (status.Camera is not { } camera)
        {
            return;
        }

        const string checkCamera = "check the camera's power and cable and Camera:Source (edge-anpr doctor tries it); the agent keeps retrying";
        switch (camera.State)
        {
            case "retrying":
                problems.Add(new($"the camera is down (restart {camera.Restarts}): {camera.Problem}", checkCamera));
                break;
            case "failed":
                problems.Add(new($"the camera failed for good: {camera.Problem}", "correct Camera:Source, then: sudo systemctl restart edge-anpr"));
                break;
            case "running" when camera.LastFrameAgeSeconds > MaxFrameAgeSeconds:
                problems.Add(new($"no frame from the camera for {camera.LastFrameAgeSeconds:0} s", checkCamera));
                break;
        }

        if (camera.Frames >= MinFramesForDropShare && camera.Dropped > camera.Frames * MaxDroppedShare)
        {
            problems.Add(new(
                $"{camera.Dropped} of {camera.Frames} frames dropped ({100.0 * camera.Dropped / camera.Frames:0.#}%): processing cannot keep up with the camera",
                "narrow Detection:RegionOfInterest, or lower the camera's frame rate or resolution"));
        }
    }

    private static void Pipeline(StatusDocument status, List<StatusProblem> problems)
    {
        if (status.Pipeline is not { } pipeline)
        {
            return;
        }

        foreach (var stage in pipeline.Stages.Where(s => s.Stuck))
        {
            problems.Add(new($"the {stage.Name} stage has been busy on one item for {stage.BusySeconds:0} s",
                "systemd restarts the service when its watchdog sees this; if it comes back, send edge-anpr logs bundle to support"));
        }

        if (pipeline.FramesFailed > 0 && pipeline.FramesFailed > pipeline.FramesProcessed * MaxFailedShare)
        {
            problems.Add(new($"{pipeline.FramesFailed} of {pipeline.FramesProcessed} frames failed in inference",
                "see the error in the journal (journalctl -u edge-anpr -p warning); edge-anpr doctor checks the models' runtime"));
        }
    }

    private static void Delivery(StatusDocument status, List<StatusProblem> problems)
    {
        if (status.Broker is { } broker)
        {
            var since = status.Time - broker.Since;
            switch (broker.State)
            {
                case "refused":
                    problems.Add(new($"the broker refuses this box: {broker.Reason}",
                        "check Mqtt:Username, Mqtt:Password and the certificates (edge-anpr doctor tests them)"));
                    break;
                case "disconnected":
                case "connecting" when since > MaxConnecting:
                    problems.Add(new($"not connected to the broker for {since.TotalMinutes:0} min: {broker.Reason ?? broker.State}",
                        "check the network and Mqtt:Host and Mqtt:Port (edge-anpr doctor tests the broker); hits wait in the outbox"));
                    break;
            }
        }

        if (status.Outbox is not { } outbox)
        {
            return;
        }

        if (outbox.OldestAgeSeconds > MaxOutboxAge.TotalSeconds)
        {
            problems.Add(new($"{outbox.Depth} hit(s) waiting in the outbox, the oldest for {outbox.OldestAgeSeconds / 60:0} min",
                "they go when the broker takes them: fix the broker link (edge-anpr outbox list shows them)"));
        }

        if (outbox.Evicted > 0)
        {
            problems.Add(new($"{outbox.Evicted} hit(s) evicted since start: the outbox reached its bound",
                "fix the broker link; raise Outbox:MaxItems or Outbox:MaxAge if the box must hold more"));
        }
    }
}
