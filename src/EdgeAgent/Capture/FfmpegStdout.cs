using System.Threading.Tasks.Sources;

namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// Reads whole frames from ffmpeg's stdout pipe with blocking reads on a thread of its own.
/// </summary>
/// <remarks>
/// ffmpeg writes its output in 32 KiB pieces, and a reader that keeps up is woken for each: about 28
/// times per 720p frame. Woken through the async socket engine (epoll thread, then a pool thread) that
/// cost about 0.5 ms of CPU per frame here, more than the copy itself; a blocking read costs a plain
/// kernel wake-up. (PipeStream.ReadAsync and Stream.ReadExactlyAsync also allocate a state machine per
/// wait, about 1 KB per frame.) The reader hands each frame over through a reusable
/// <see cref="IValueTaskSource{TResult}"/> and runs the awaiting continuation (the capture loop) inline,
/// so in steady state the loop and the reads share this one thread: no allocation, no thread switch.
/// One read at a time; a read is interrupted only by ffmpeg closing its output (it exits or is killed).
/// </remarks>
internal sealed class FfmpegStdout : IValueTaskSource<int>, IDisposable
{
    private readonly Stream _pipe;
    private readonly SemaphoreSlim _requested = new(0);
    private ManualResetValueTaskSourceCore<int> _completion;
    private Memory<byte> _destination;
    private volatile bool _stopping;

    public FfmpegStdout(Stream pipe, string name)
    {
        _pipe = pipe;
        new Thread(Run) { IsBackground = true, Name = name }.Start();
    }

    /// <summary>Fills <paramref name="destination"/>; the result is the bytes read, less than its length only at the end of the stream.</summary>
    public ValueTask<int> ReadFrameAsync(Memory<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        _completion.Reset();
        _destination = destination;
        _requested.Release();
        return new ValueTask<int>(this, _completion.Version);
    }

    /// <summary>Lets the thread end once ffmpeg's output is closed; does not wait for it (dispose may run on it).</summary>
    public void Dispose()
    {
        _stopping = true;
        _requested.Release();
    }

    int IValueTaskSource<int>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    private void Run()
    {
        while (true)
        {
            _requested.Wait();
            if (_stopping)
            {
                return;
            }

            int filled;
            try
            {
                filled = Fill(_destination.Span);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                _completion.SetException(ex);
                continue;
            }

            _completion.SetResult(filled);
        }
    }

    private int Fill(Span<byte> destination)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var read = _pipe.Read(destination[filled..]);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
