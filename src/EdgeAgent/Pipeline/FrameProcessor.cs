using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Status;
using EdgeAnpr.Agent.Tracking;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Pipeline;

/// <summary>
/// The per-frame stages, in order, on one thread: take a frame off the capture queue, find plates where the motion
/// gate (or the loop detector) says to look, read each plate, follow the plates across frames, and hand each finished
/// vehicle pass to the <see cref="PassQueue"/>. The frame goes back to its pool before the next is taken. When the
/// input ends every open track is flushed, so the last vehicle of a recording is not lost, and the pass queue completes.
/// </summary>
/// <remarks>
/// A frame that fails in inference is logged, counted and skipped: one bad frame must not stop the camera. The
/// buffers used per frame are kept between frames.
/// </remarks>
public sealed class FrameProcessor
{
    private readonly FrameQueue _queue;
    private readonly PipelineStats _stats;
    private readonly DetectionStage _detection;
    private readonly PlateReaders _readers;
    private readonly PlateTracker _tracker;
    private readonly PassQueue _passes;
    private readonly Func<long, bool>? _vehiclePresentAt;
    private readonly ILogger _logger;
    private readonly List<PlateDetection> _detections = [];
    private readonly List<PlateObservation> _observations = [];
    private PixelRect[] _crops = new PixelRect[8];
    private float[] _scores = new float[8];
    private PlateRead[] _reads = new PlateRead[8];

    /// <param name="queue">The capture queue of this camera.</param>
    /// <param name="stats">Counters for status lines and the heartbeat.</param>
    /// <param name="detection">The gate and the detector.</param>
    /// <param name="readers">The readers of the configured regions.</param>
    /// <param name="tracker">Follows the plates across frames.</param>
    /// <param name="passes">Where finished vehicle passes go.</param>
    /// <param name="vehiclePresentAt">The loop detector's answer for a frame's timestamp, or null without one.</param>
    /// <param name="logger">The pipeline's log.</param>
    public FrameProcessor(
        FrameQueue queue,
        PipelineStats stats,
        DetectionStage detection,
        PlateReaders readers,
        PlateTracker tracker,
        PassQueue passes,
        Func<long, bool>? vehiclePresentAt,
        ILogger<FrameProcessor> logger)
    {
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _stats = stats ?? throw new ArgumentNullException(nameof(stats));
        _detection = detection ?? throw new ArgumentNullException(nameof(detection));
        _readers = readers ?? throw new ArgumentNullException(nameof(readers));
        _tracker = tracker ?? throw new ArgumentNullException(nameof(tracker));
        _passes = passes ?? throw new ArgumentNullException(nameof(passes));
        _vehiclePresentAt = vehiclePresentAt;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Marked busy from taking a frame until it is processed and its passes handed on; null: not watched.</summary>
    public StageLiveness? Liveness { get; init; }

    /// <summary>Shown each frame and its plates, for the status endpoint's <c>snapshot</c> and <c>aim</c>; null: none.</summary>
    public FrameTap? Tap { get; init; }

    /// <summary>
    /// Consumes frames until the queue completes (the source ended), then flushes the open tracks and completes the
    /// pass queue; or until the token is cancelled (shutdown), when open tracks are flushed too, if there is room.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                Liveness?.Busy();
                using (frame)
                {
                    await ProcessAsync(frame, cancellationToken);
                }

                Liveness?.Idle();
            }

            Liveness?.Busy();
            await PublishAsync(_tracker.Flush(), cancellationToken);
        }
        finally
        {
            Liveness?.Idle();
            _passes.Complete();
        }
    }

    internal async ValueTask ProcessAsync(Frame frame, CancellationToken cancellationToken)
    {
        IReadOnlyList<VehiclePass> ended;
        try
        {
            ended = Observe(frame);
        }
        catch (InferenceException ex)
        {
            // The first failure and then one in every 250 (10 s of a 25 fps camera): a model that fails on every frame
            // must not flood the journal.
            _stats.FrameFailed();
            if (_stats.FramesFailed % 250 == 1)
            {
                Log.FrameFailed(_logger, frame.Sequence, _stats.FramesFailed, ex.Message);
            }
            ended = [];
        }

        _stats.FrameProcessed();
        await PublishAsync(ended, cancellationToken);
    }

    /// <summary>Detection, reading and tracking of one frame; returns the passes that ended by it.</summary>
    private IReadOnlyList<VehiclePass> Observe(Frame frame)
    {
        var vehiclePresent = _vehiclePresentAt?.Invoke(frame.Timestamp) ?? false;
        var trigger = _detection.Process(frame, vehiclePresent, _detections);
        Tap?.Observe(frame, _detections);
        if (trigger != DetectionTrigger.None)
        {
            _stats.DetectorRan();
        }

        _observations.Clear();
        EnsureCapacity(_detections.Count);
        var count = 0;
        foreach (var detection in _detections)
        {
            var crop = _readers.CropFor(detection.Box, frame.Width, frame.Height);
            if (!crop.IsEmpty)
            {
                (_crops[count], _scores[count]) = (crop, detection.Score);
                count++;
            }
        }

        if (count > 0)
        {
            _readers.Read(frame.Pixels, frame.Width, _crops.AsSpan(0, count), _reads);
            for (var i = 0; i < count; i++)
            {
                var read = _reads[i];
                _reads[i] = null!;
                var accepted = _readers.Accepts(read);
                _observations.Add(new PlateObservation(
                    frame.Sequence,
                    frame.Timestamp,
                    frame.SourceTime,
                    _crops[i],
                    _scores[i],
                    accepted ? read.Text : null,
                    read.CharacterConfidences,
                    read.Confidence));
            }
        }

        return _tracker.Update(frame.Timestamp, _observations, frame.Pixels, frame.Width, frame.Height);
    }

    private async ValueTask PublishAsync(IReadOnlyList<VehiclePass> ended, CancellationToken cancellationToken)
    {
        foreach (var pass in ended)
        {
            _stats.PassEnded();
            await _passes.WriteAsync(pass, cancellationToken);
        }
    }

    private void EnsureCapacity(int count)
    {
        if (_crops.Length < count)
        {
            _crops = new PixelRect[Math.Max(count, _crops.Length * 2)];
            _scores = new float[_crops.Length];
            _reads = new PlateRead[_crops.Length];
        }
    }
}
