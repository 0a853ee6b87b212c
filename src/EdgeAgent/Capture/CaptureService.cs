using EdgeAnpr.Agent.Pipeline;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// Reads one camera into the <see cref="FrameQueue"/> and keeps it read. A file is read once: its end
/// completes the queue. A live source (RTSP, V4L2) is supervised: any failure, or no frame for
/// <see cref="CaptureOptions.StallTimeout"/>, disposes the source and restarts it with backoff, forever,
/// until cancelled. A permanent failure (missing file, not a video, no ffmpeg) completes the queue with
/// the exception and <see cref="RunAsync"/> throws it.
/// </summary>
/// <remarks>
/// Frames are numbered from 0 for the first frame of the run, and the numbering goes on across restarts
/// of a live source, so <see cref="Frame.Sequence"/> never repeats and a gap always means dropped frames.
/// <see cref="Frame.SourceTime"/> is the frame's position in its connection (index over frame rate): for a
/// file, its place in the file.
/// The service owns the sources it makes and disposes each before making the next; it does not own the queue.
/// </remarks>
public sealed class CaptureService
{
    private readonly CameraSource _source;
    private readonly CaptureOptions _options;
    private readonly bool _pace;
    private readonly FrameQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger<CaptureService> _logger;
    private readonly Func<CameraSource, FrameSource> _sourceFactory;
    private readonly ResiliencePipeline _restarts;
    private readonly CaptureProgress _progress;
    private readonly bool _decodesWithFfmpeg;
    private DecoderChoice _decoder = DecoderChoice.Unresolved;
    private long _nextSequence;
    private FramePool? _pool;
    private int _started;

    /// <param name="source">The camera to read.</param>
    /// <param name="options">Queue, stall and restart settings.</param>
    /// <param name="pace">Deliver a file at its native frame rate; ignored for live sources.</param>
    /// <param name="queue">Where frames go; completed when capture ends, not disposed.</param>
    /// <param name="timeProvider">The clock for frame timestamps, stall detection and restart delays.</param>
    /// <param name="logger">Capture's log.</param>
    /// <param name="sourceFactory">Makes one connection to the source; default an <see cref="FfmpegFrameSource"/>.</param>
    public CaptureService(
        CameraSource source,
        CaptureOptions options,
        bool pace,
        FrameQueue queue,
        TimeProvider timeProvider,
        ILogger<CaptureService> logger,
        Func<CameraSource, FrameSource>? sourceFactory = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _source = source;
        _options = options;
        _pace = pace;
        _queue = queue;
        _time = timeProvider;
        _logger = logger;
        _decodesWithFfmpeg = sourceFactory is null;
        _sourceFactory = sourceFactory ?? (s => new FfmpegFrameSource(s, options, pace, _decoder.Hardware));
        _restarts = RestartPipeline.Create(options, timeProvider, OnRetryAsync);
        _progress = new CaptureProgress();
    }

    /// <summary>
    /// Restart a failed live source with backoff, forever (the service, default); when false, a live
    /// source is read once and its failure ends the run (a replay of a URL).
    /// </summary>
    public bool SuperviseLiveSources { get; init; } = true;

    /// <summary>
    /// Marked busy while opening the source and while waiting for each frame; idle while a frame waits for room in the
    /// queue and during restart backoff. Null: not watched.
    /// </summary>
    public StageLiveness? Liveness { get; init; }

    /// <summary>Frames captured so far (written to the queue, including those it later dropped).</summary>
    public long Frames => _progress.Frames;

    /// <summary>A snapshot for status lines, the heartbeat and <c>doctor</c>.</summary>
    public CaptureStatus Status => _progress.Snapshot(_queue.Dropped) with { Decoder = _decoder.Description };

    /// <summary>The decoder in use and why (resolved from <see cref="CaptureOptions.Decoder"/> when the run starts).</summary>
    public DecoderChoice Decoder => Volatile.Read(ref _decoder);

    /// <summary>The pool frames are rented from, once the source has opened (for tests and the benchmark).</summary>
    internal FramePool? Pool => Volatile.Read(ref _pool);

    /// <summary>
    /// Captures until a file ends (returns), a permanent failure (throws it), or cancellation (throws
    /// <see cref="OperationCanceledException"/> within a second, ffmpeg killed). The queue is completed in
    /// every case. Call once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("A CaptureService runs once.");
        }

        Log.CaptureStarting(_logger, _source.Display, _source.Kind, _pace);
        try
        {
            if (_decodesWithFfmpeg)
            {
                Volatile.Write(ref _decoder, await DecoderChoice.ResolveAsync(_options.Decoder, _options.FfmpegPath, cancellationToken));
                Log.DecoderChosen(_logger, _source.Display, _decoder.Description, _decoder.Reason);
            }

            if (_source.IsLive && SuperviseLiveSources)
            {
                await SuperviseAsync(cancellationToken);
            }
            else
            {
                await ReadOnceAsync(cancellationToken);
            }

            _progress.Finished(CaptureState.Ended, problem: null);
            Log.SourceEnded(_logger, _source.Display, Frames, _queue.Dropped);
            _queue.Complete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _progress.Finished(CaptureState.Ended, problem: null);
            Log.CaptureStopped(_logger, _source.Display, Frames);
            _queue.Complete();
            throw;
        }
        catch (Exception ex)
        {
            _progress.Finished(CaptureState.Failed, ex.Message);
            Log.CaptureFailed(_logger, ex.Message, ex is CaptureException ? null : ex);
            _queue.Complete(ex);
            throw;
        }
    }

    private async Task ReadOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadOnceWithAsync(cancellationToken);
        }
        catch (CaptureException ex) when (FellBackToSoftware(ex))
        {
            await ReadOnceWithAsync(cancellationToken);
        }
    }

    private async Task ReadOnceWithAsync(CancellationToken cancellationToken)
    {
        await using var source = _sourceFactory(_source);
        var format = await OpenAsync(source, cancellationToken);
        await PumpAsync(source, format, watchdog: null, cancellationToken);
    }

    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // Returns only when a connection that had been delivering frames is lost. The next one starts
            // a new outage: the backoff and the attempt count start again from the beginning, after the
            // first step of the backoff (a camera that drops every frame must not spin ffmpeg in a loop).
            await _restarts.ExecuteAsync(static (self, token) => self.ConnectOnceAsync(token), this, cancellationToken);
            await Task.Delay(_options.RestartDelay, _time, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    // One connection, made again at once with software decoding when the hardware decoder was what failed.
    private async ValueTask ConnectOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConnectOnceWithAsync(cancellationToken);
        }
        catch (CaptureException ex) when (FellBackToSoftware(ex))
        {
            await ConnectOnceWithAsync(cancellationToken);
        }
    }

    // A source whose hardware decoder failed before its first frame goes on in software, for good: one warning, not a
    // restart loop through a decoder that will not work (DESIGN.md: a box reading slowly beats one reading nothing).
    private bool FellBackToSoftware(CaptureException failure)
    {
        if (failure.FailedDecoder is not { } decoder || !_decoder.FallBack(failure.Message))
        {
            return false;
        }

        Log.DecoderFellBack(_logger, decoder, _source.Display, failure.Message);
        return true;
    }

    // One connection: open, pump until it fails. Throws the failure when the connection never delivered
    // a frame (the restart pipeline counts it and retries); returns after logging it when it had.
    private async ValueTask ConnectOnceWithAsync(CancellationToken cancellationToken)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watchdog = new StallWatchdog(_time, _options.StallTimeout, FirstFrameTimeout, connection);
        var framesBefore = Frames;
        CaptureException failure;
        try
        {
            await using var source = _sourceFactory(_source);
            var format = await OpenAsync(source, connection.Token);
            await PumpAsync(source, format, watchdog, connection.Token);
            failure = CaptureException.For(_source, "the camera ended the stream", permanent: false);
        }
        catch (OperationCanceledException) when (watchdog.Fired && !cancellationToken.IsCancellationRequested)
        {
            var problem = Frames > framesBefore
                ? $"no frame for {_options.StallTimeout.TotalSeconds:0.#} s"
                : $"no frame within {FirstFrameTimeout.TotalSeconds:0.#} s of connecting";
            failure = CaptureException.For(_source, problem, permanent: false);
        }
        catch (CaptureException ex) when (!ex.IsPermanent)
        {
            failure = ex;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not CaptureException)
        {
            // Anything else from a source (an I/O error, a bug in a source) must not end a live camera's capture.
            failure = CaptureException.For(_source, $"{ex.GetType().Name}: {ex.Message}", permanent: false);
        }

        var delivered = Frames - framesBefore;
        if (delivered == 0)
        {
            throw failure;
        }

        _progress.Retrying(failure.Message);
        Log.SourceLost(_logger, delivered, _options.RestartDelay, failure.Message);
    }

    private TimeSpan FirstFrameTimeout => FirstFrameTimeoutOf(_options);

    /// <summary>How long a connection may take to its first frame: connecting, probing and the first key frame come first.</summary>
    internal static TimeSpan FirstFrameTimeoutOf(CaptureOptions options) => options.ConnectTimeout + options.StallTimeout;

    private async Task<FrameFormat> OpenAsync(FrameSource source, CancellationToken cancellationToken)
    {
        FrameFormat format;
        Liveness?.Busy();
        try
        {
            format = await source.OpenAsync(cancellationToken);
        }
        finally
        {
            Liveness?.Idle();
        }

        if (_pool is not { } pool || pool.Width != format.Width || pool.Height != format.Height)
        {
            // A camera reconfigured to another size gets a new pool; frames of the old one still in the
            // pipeline go back to it and are collected with it.
            Volatile.Write(ref _pool, new FramePool(format.Width, format.Height));
        }

        _progress.Opened(format);
        Log.SourceOpened(_logger, _source.Display, format.Width, format.Height, format.FramesPerSecond);
        return format;
    }

    // The per-frame path: rent, fill, stamp, queue. Allocates nothing (the pool and the source's pooled
    // reads see to that); one async state machine per connection, not per frame.
    private async ValueTask PumpAsync(FrameSource source, FrameFormat format, StallWatchdog? watchdog, CancellationToken cancellationToken)
    {
        var pool = _pool!;
        var ticksPerFrame = format.FramesPerSecond > 0 ? TimeSpan.TicksPerSecond / format.FramesPerSecond : 0;

        // A recording read at full speed arrives as fast as the machine decodes it, so arrival times say how busy
        // the machine was, not how the cars moved: a second's stall on a loaded machine would split one vehicle's
        // pass in two (the tracker ends a track after Tracking:MaxGap). Such frames are stamped on the media's own
        // clock instead (first arrival plus their place in the file). Cameras and paced recordings keep arrival time.
        var mediaClock = !_source.IsLive && !_pace && ticksPerFrame > 0;
        long? origin = null;
        for (long index = 0; ; index++)
        {
            var frame = pool.Rent();
            bool filled;
            Liveness?.Busy();
            try
            {
                filled = await source.ReadAsync(frame.Writable, cancellationToken);
            }
            catch
            {
                frame.Dispose();
                throw;
            }
            finally
            {
                Liveness?.Idle();
            }

            if (!filled)
            {
                frame.Dispose();
                return;
            }

            var now = _time.GetTimestamp();
            frame.Sequence = _nextSequence++;
            frame.SourceTime = TimeSpan.FromTicks((long)(index * ticksPerFrame));
            if (mediaClock)
            {
                origin ??= now;
                frame.Timestamp = origin.Value + (long)(frame.SourceTime.TotalSeconds * _time.TimestampFrequency);
            }
            else
            {
                frame.Timestamp = now;
            }

            watchdog?.FrameArrived(now);
            _progress.FrameCaptured(now);
            if (index == 0 && _progress.Running() is { } restarts)
            {
                Log.SourceResumed(_logger, _source.Display, restarts);
            }

            await _queue.WriteAsync(frame, cancellationToken);
        }
    }

    private ValueTask OnRetryAsync(OnRetryArguments<object> args)
    {
        var reason = args.Outcome.Exception?.Message ?? "unknown failure";
        _progress.Retrying(reason);
        Log.AttemptFailed(_logger, args.AttemptNumber + 1, args.RetryDelay, reason);
        return ValueTask.CompletedTask;
    }
}
