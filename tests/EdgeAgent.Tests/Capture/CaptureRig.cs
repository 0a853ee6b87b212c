using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Capture;

/// <summary>What a test saw of one frame; the frame itself goes back to its pool at once.</summary>
internal sealed record SeenFrame(long Sequence, TimeSpan SourceTime, int Width, int Height, byte Left, byte Right);

/// <summary>
/// A <see cref="CaptureService"/> on a real source with real ffmpeg, its queue, its log, and the ffmpeg
/// sources it made (to check their processes are gone afterwards).
/// </summary>
internal sealed class CaptureRig
{
    private readonly List<FfmpegFrameSource> _sources = [];

    /// <param name="productSources">
    /// Let the service make its sources as the product does (resolving <see cref="CaptureOptions.Decoder"/>); the rig
    /// then does not see their process ids.
    /// </param>
    public CaptureRig(string source, ITestOutputHelper output, CaptureOptions? options = null, bool pace = false, TimeProvider? time = null, int queueCapacity = 64, bool productSources = false)
    {
        Options = options ?? FastOptions();
        Queue = new FrameQueue(queueCapacity);
        Logger = TestLogs.For<CaptureService>(output);
        Service = new CaptureService(CameraSource.Parse(source), Options, pace, Queue, time ?? TimeProvider.System, Logger, productSources ? null : Make);

        FfmpegFrameSource Make(CameraSource camera)
        {
            var made = new FfmpegFrameSource(camera, Options, pace);
            lock (_sources)
            {
                _sources.Add(made);
            }

            return made;
        }
    }

    public CaptureOptions Options { get; }

    public FrameQueue Queue { get; }

    public FakeLogger<CaptureService> Logger { get; }

    public CaptureService Service { get; }

    /// <summary>Short timeouts and delays, so failure tests take a fraction of a second.</summary>
    public static CaptureOptions FastOptions() => new()
    {
        StallTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        RestartDelay = TimeSpan.FromMilliseconds(100),
        MaxRestartDelay = TimeSpan.FromMilliseconds(400),
    };

    /// <summary>Process ids of every ffmpeg started so far.</summary>
    public IReadOnlyList<int> FfmpegProcessIds
    {
        get
        {
            lock (_sources)
            {
                return [.. _sources.Select(s => s.ProcessId).Where(id => id > 0)];
            }
        }
    }

    /// <summary>
    /// How long a test waits for something that must happen before calling it a hang. Generous, because a busy machine
    /// is slow; reaching it fails the test, it never passes one. No test asserts that anything is fast.
    /// </summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads the queue to its end, noting each frame and handing it back.</summary>
    public async Task<List<SeenFrame>> ReadAllAsync()
    {
        var seen = new List<SeenFrame>();
        await foreach (var frame in Queue.Reader.ReadAllAsync())
        {
            using (frame)
            {
                seen.Add(Describe(frame));
            }
        }

        return seen;
    }

    /// <summary>Cancels <paramref name="run"/> and waits for it to end as cancelled, every ffmpeg it started gone.</summary>
    public async Task CancelAsync(CancellationTokenSource stop, Task run)
    {
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Patience));
        Assert.True(Queue.Reader.Completion.IsCompletedSuccessfully);
        Assert.All(FfmpegProcessIds, id => Assert.False(IsRunning(id), $"ffmpeg {id} still runs"));
    }

    public static bool IsRunning(int processId) => Directory.Exists($"/proc/{processId}");

    // Samples the middle of each half, away from the edge where H.264 blurs the two together.
    private static SeenFrame Describe(Frame frame)
    {
        var row = frame.Height / 2 * frame.Width;
        return new SeenFrame(
            frame.Sequence,
            frame.SourceTime,
            frame.Width,
            frame.Height,
            frame.Pixels[row + (frame.Width / 8)],
            frame.Pixels[row + (frame.Width * 7 / 8)]);
    }
}
