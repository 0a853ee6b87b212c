namespace EdgeAnpr.Agent.Capture;

/// <summary>Size and rate of a source's frames, known once it has opened.</summary>
public readonly record struct FrameFormat(int Width, int Height, double FramesPerSecond);

/// <summary>
/// The seam between the pipeline and whatever decodes video. One instance is one connection: open it,
/// read frames until it ends or fails, dispose it. The supervisor (<see cref="CaptureService"/>) makes a
/// fresh one for every restart. The product uses <see cref="FfmpegFrameSource"/>.
/// </summary>
public abstract class FrameSource : IAsyncDisposable
{
    /// <summary>Starts decoding and returns the frame format. Throws <see cref="CaptureException"/> naming the problem.</summary>
    public abstract Task<FrameFormat> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Fills <paramref name="destination"/> (exactly width*height gray bytes) with the next frame; false at the end of the stream.</summary>
    public abstract ValueTask<bool> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
