using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// One ffmpeg child process per connection, decoding the source to 8-bit gray frames on its stdout
/// (DESIGN.md, "Video through ffmpeg"). The format comes from the header ffmpeg prints on stderr before
/// the first frame; stderr is drained for the life of the process. Dispose kills the process tree and
/// waits for it. Failures surface as one-line <see cref="CaptureException"/>s naming the source.
/// </summary>
public sealed class FfmpegFrameSource : FrameSource
{
    // How long dispose waits for a killed ffmpeg to be reaped; SIGKILL is immediate unless the process
    // is stuck in the kernel (a wedged V4L2 driver), and shutdown must not hang on that.
    private static readonly TimeSpan ReapTimeout = TimeSpan.FromSeconds(2);

    private readonly CameraSource _source;
    private readonly CaptureOptions _options;
    private readonly bool _pace;
    private readonly string? _decoder;
    private Process? _process;
    private FfmpegStderr? _stderr;
    private FfmpegStdout? _stdout;
    private int _frameBytes;
    private int _processId;
    private int _disposed;

    /// <param name="source">What to open.</param>
    /// <param name="options">The ffmpeg path and the network timeout.</param>
    /// <param name="pace">Read a file at its native frame rate (ffmpeg <c>-re</c>); ignored for live sources.</param>
    /// <param name="decoder">A hardware decoder's ffmpeg name (<see cref="DecoderChoice.Hardware"/>), or null for software.</param>
    public FfmpegFrameSource(CameraSource source, CaptureOptions options, bool pace = false, string? decoder = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _options = options;
        _pace = pace;
        _decoder = decoder;
    }

    /// <summary>The ffmpeg process id once opened (0 before), for tests that check it is gone after dispose.</summary>
    internal int ProcessId => _processId;

    public override async Task<FrameFormat> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (_process is not null)
        {
            throw new InvalidOperationException("An FfmpegFrameSource opens once; make a new one to reconnect.");
        }

        if (_source.Kind == CameraSourceKind.File)
        {
            // Checked here rather than left to ffmpeg: the message is clearer and no process is started.
            CheckFileExists();
        }

        _process = Start();
        _processId = _process.Id;
        _stderr = new FfmpegStderr(_process.StandardError);
        var format = await _stderr.Format.WaitAsync(cancellationToken);
        if (format is not { Width: > 0, Height: > 0 } known)
        {
            // ffmpeg ended before it could decode anything; its last lines say why.
            var exitCode = await WaitForExitAsync(cancellationToken);
            throw DecoderFailure(_stderr.Tail(), exitCode) ?? FfmpegFailure.From(_source, _stderr.Tail(), exitCode);
        }

        _frameBytes = checked(known.Width * known.Height);
        _stdout = new FfmpegStdout(_process.StandardOutput.BaseStream, $"ffmpeg {_processId} stdout");
        return known;
    }

    /// <summary>
    /// Reads exactly one frame (see <see cref="FfmpegStdout"/> for why not Stream.ReadExactlyAsync).
    /// Pooled, so a read that waits for ffmpeg allocates nothing. Cancelling kills ffmpeg, which is how
    /// a blocked pipe read is interrupted; the source is done after that.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<bool> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var stdout = _stdout ?? throw new InvalidOperationException("Open the source before reading it.");
        if (destination.Length != _frameBytes)
        {
            throw new ArgumentException($"A frame of this source is {_frameBytes} bytes; the destination holds {destination.Length}.", nameof(destination));
        }

        int filled;
        using (cancellationToken.UnsafeRegister(static state => ((FfmpegFrameSource)state!).KillFfmpeg(), this))
        {
            try
            {
                filled = await stdout.ReadFrameAsync(destination);
            }
            catch (IOException ex)
            {
                throw CaptureException.For(_source, $"reading ffmpeg's output failed: {ex.Message}", permanent: false);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (filled == destination.Length)
        {
            return true;
        }

        // ffmpeg closed its output: the end of the input, or ffmpeg gave up.
        var exitCode = await WaitForExitAsync(cancellationToken);
        return (exitCode, filled) switch
        {
            (0, 0) => false,
            (0, _) => throw CaptureException.For(_source, "the stream ended in the middle of a frame", permanent: false),
            _ => throw FfmpegFailure.From(_source, _stderr!.Tail(), exitCode),
        };
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stdout?.Dispose();
        if (_process is not { } process)
        {
            return;
        }

        KillFfmpeg();

        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(ReapTimeout);
            await _stderr!.Completion.WaitAsync(ReapTimeout);
        }
        catch (TimeoutException)
        {
            // Stuck in the kernel; the SIGKILL stands and init reaps it later. Shutdown goes on.
        }

        process.Dispose();
    }

    private void KillFfmpeg()
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            // It had already exited (and perhaps been disposed); nothing is left to stop. This also runs
            // as a cancellation callback, where an exception would land on whoever cancelled.
        }
    }

    // With a hardware decoder, ffmpeg failing before its first frame after it had read the source's streams (or not
    // knowing the decoder at all) is the decoder's failure: "Could not find a valid device", "Error while opening
    // decoder", a codec it cannot decode. One that never reached the source is the camera's, and keeps the decoder.
    private CaptureException? DecoderFailure(IReadOnlyList<string> tail, int exitCode)
    {
        var unknown = tail.Any(l => l.StartsWith("Unknown decoder", StringComparison.Ordinal));
        if (_decoder is null || !(_stderr!.InputOpened || unknown))
        {
            return null;
        }

        var last = tail.Count > 0 ? tail[^1].Replace(_source.Location, _source.Display, StringComparison.Ordinal).Trim().TrimEnd('.') : $"exit code {exitCode}";
        return new CaptureException($"Camera source '{_source.Display}': decoder {_decoder} failed: {last}.") { FailedDecoder = _decoder };
    }

    private void CheckFileExists()
    {
        if (Directory.Exists(_source.Location))
        {
            throw CaptureException.For(_source, "is a directory, not a video or image file", permanent: true);
        }

        if (!File.Exists(_source.Location))
        {
            throw CaptureException.For(_source, "file not found", permanent: true);
        }
    }

    private Process Start()
    {
        var info = new ProcessStartInfo(_options.FfmpegPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in FfmpegArguments.For(_source, _options, _pace, _decoder))
        {
            info.ArgumentList.Add(argument);
        }

        // ffmpeg's messages are matched as text (FfmpegFailure); keep them untranslated.
        info.Environment["LC_ALL"] = "C";
        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException("Process.Start returned no process.");
        }
        catch (Win32Exception ex)
        {
            throw CaptureException.For(
                _source,
                $"cannot run ffmpeg ('{_options.FfmpegPath}': {ex.Message}); install it with 'sudo apt-get install ffmpeg' or set Capture:FfmpegPath",
                permanent: true);
        }
    }

    // After ffmpeg closed stdout: wait for it to exit and for its last stderr lines to be read.
    private async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process!.WaitForExitAsync(cancellationToken);
        await _stderr!.Completion.WaitAsync(cancellationToken);
        return _process.ExitCode;
    }
}
