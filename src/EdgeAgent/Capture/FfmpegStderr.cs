namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// Drains ffmpeg's stderr for the life of the process: an undrained pipe fills (64 KiB) and ffmpeg
/// then blocks on its next log line, which looks exactly like a stalled camera. Keeps the last lines
/// for error messages and reports the frame format once the stream header has gone by.
/// </summary>
internal sealed class FfmpegStderr
{
    private const int TailLines = 20;

    private readonly Queue<string> _tail = new(TailLines);
    private readonly Lock _gate = new();
    private readonly FfmpegHeader _header = new();
    private readonly TaskCompletionSource<FrameFormat?> _format = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FfmpegStderr(StreamReader reader)
    {
        Completion = DrainAsync(reader);
    }

    /// <summary>Completes when stderr ends, that is when ffmpeg has exited or been killed.</summary>
    public Task Completion { get; }

    /// <summary>The frame format, or null if ffmpeg ended before it printed one (it failed to open the source).</summary>
    public Task<FrameFormat?> Format => _format.Task;

    /// <summary>True once ffmpeg has printed the input's description (<c>Input #0, ...</c>): it reached the source and read its streams.</summary>
    public bool InputOpened { get; private set; }

    public IReadOnlyList<string> Tail()
    {
        lock (_gate)
        {
            return [.. _tail];
        }
    }

    private async Task DrainAsync(StreamReader reader)
    {
        try
        {
            // No cancellation token: the read ends with the process (stderr reaches end of file when it exits or is killed).
            while (await reader.ReadLineAsync() is { } line)
            {
                Remember(line);
                if (!InputOpened && line.StartsWith("Input #", StringComparison.Ordinal))
                {
                    InputOpened = true;
                }

                if (!_format.Task.IsCompleted && _header.TryAccept(line, out var format))
                {
                    _format.TrySetResult(format);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe was closed under us by dispose; nothing more to read.
        }
        finally
        {
            _format.TrySetResult(null);
        }
    }

    private void Remember(string line)
    {
        if (line.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_tail.Count == TailLines)
            {
                _tail.Dequeue();
            }

            _tail.Enqueue(line);
        }
    }
}
