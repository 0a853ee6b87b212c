using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Detection;

namespace EdgeAnpr.Agent.Status;

/// <summary>A copy of one processed frame and the plates found in it, for <c>snapshot</c> and <c>aim</c>.</summary>
/// <param name="Pixels">8-bit gray, row-major, stride == width (a copy: the frame itself went back to its pool).</param>
/// <param name="Detections">The plates found in this frame.</param>
/// <param name="LastDetections">The plates of the last frame that had any (this one's when it has some).</param>
/// <param name="LastDetectionsSequence">That frame's sequence number; null when no plate was found yet.</param>
public sealed record TappedFrame(
    int Width,
    int Height,
    long Sequence,
    long Timestamp,
    byte[] Pixels,
    IReadOnlyList<PlateBox> Detections,
    IReadOnlyList<PlateBox> LastDetections,
    long? LastDetectionsSequence);

/// <summary>
/// Where the frame stage shows the status endpoint what it sees. Per frame it costs one volatile read while nobody
/// asks; a frame is copied only when a request waits for one, and the plates found are remembered (the last set, and
/// the heights of the last <see cref="PlateHeightCapacity"/>, for <c>aim</c>'s one-second samples).
/// </summary>
public sealed class FrameTap
{
    /// <summary>Plate heights kept for <see cref="PlateHeightsSince"/>: a second of a busy road, many times over.</summary>
    public const int PlateHeightCapacity = 1024;

    private readonly Lock _gate = new();
    private readonly double[] _heights = new double[PlateHeightCapacity];
    private long _heightsWritten;
    private PlateBox[] _last = [];
    private long? _lastSequence;
    private TaskCompletionSource<TappedFrame>? _waiting;

    /// <summary>Called by the frame stage after detection, on its thread; quick, never throws.</summary>
    internal void Observe(Frame frame, IReadOnlyList<PlateDetection> detections)
    {
        PlateBox[]? boxes = null;
        if (detections.Count > 0)
        {
            boxes = new PlateBox[detections.Count];
            lock (_gate)
            {
                for (var i = 0; i < boxes.Length; i++)
                {
                    boxes[i] = detections[i].Box;
                    _heights[_heightsWritten++ % PlateHeightCapacity] = boxes[i].Height;
                }

                (_last, _lastSequence) = (boxes, frame.Sequence);
            }
        }

        if (Volatile.Read(ref _waiting) is not null && Interlocked.Exchange(ref _waiting, null) is { } waiting)
        {
            PlateBox[] last;
            long? lastSequence;
            lock (_gate)
            {
                (last, lastSequence) = (_last, _lastSequence);
            }

            waiting.TrySetResult(new TappedFrame(
                frame.Width, frame.Height, frame.Sequence, frame.Timestamp, frame.Pixels.ToArray(), boxes ?? [], last, lastSequence));
        }
    }

    /// <summary>The next frame the frame stage processes; requests that wait at the same time share it.</summary>
    public Task<TappedFrame> NextFrameAsync(CancellationToken cancellationToken)
    {
        var fresh = new TaskCompletionSource<TappedFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = Interlocked.CompareExchange(ref _waiting, fresh, null) ?? fresh;
        return waiting.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The heights (frame pixels) of the plates found since <paramref name="position"/> (0 for all kept), and the
    /// position to ask from next time; the oldest are lost past <see cref="PlateHeightCapacity"/>.
    /// </summary>
    public (IReadOnlyList<double> Heights, long Position) PlateHeightsSince(long position)
    {
        lock (_gate)
        {
            var from = Math.Max(position, _heightsWritten - PlateHeightCapacity);
            var heights = new double[Math.Max(0, _heightsWritten - from)];
            for (var i = 0; i < heights.Length; i++)
            {
                heights[i] = _heights[(from + i) % PlateHeightCapacity];
            }

            return (heights, _heightsWritten);
        }
    }
}
