using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Status;

/// <summary>
/// The running agent's status endpoint: a Unix socket (<see cref="StatusOptions.SocketPath"/>, mode 0660 so the
/// service's group may ask) answering the requests of <see cref="StatusProtocol"/>. At most
/// <see cref="StatusProtocol.MaxClients"/> are served at once; a client that writes no request within
/// <see cref="StatusOptions.RequestTimeout"/>, or does not read its answer, is closed. A folder that is missing or not
/// writable turns the endpoint off with one log line; the agent runs on without it.
/// </summary>
public sealed class StatusServer : BackgroundService
{
    private static readonly byte[] BusyReply = Encoding.UTF8.GetBytes(Line(new ErrorReply("busy: too many status clients at once; try again"), StatusJson.Wire.ErrorReply));
    private readonly StatusReport _report;
    private readonly FrameTap? _tap;
    private readonly StatusOptions _options;
    private readonly IReadOnlyList<NormalizedPoint> _regionPoints;
    private readonly RegionOfInterest _region;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots = new(StatusProtocol.MaxClients, StatusProtocol.MaxClients);

    /// <param name="report">Builds the status document.</param>
    /// <param name="tap">The frame stage's tap, for <c>snapshot</c> and <c>aim</c>; null where there is no camera.</param>
    /// <param name="options">The socket's path and the request timeout.</param>
    /// <param name="regionOfInterest">The configured region of interest (empty: the whole frame).</param>
    /// <param name="time">The clock of timeouts and the one-second sampling.</param>
    /// <param name="logger">The endpoint's log.</param>
    public StatusServer(
        StatusReport report, FrameTap? tap, StatusOptions options, IEnumerable<NormalizedPoint> regionOfInterest, TimeProvider time, ILogger<StatusServer> logger)
    {
        _report = report ?? throw new ArgumentNullException(nameof(report));
        _tap = tap;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _regionPoints = (regionOfInterest ?? throw new ArgumentNullException(nameof(regionOfInterest))).ToArray();
        _region = new RegionOfInterest(_regionPoints);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Set once the socket listens (for tests, which must not sleep until it does).</summary>
    internal Task<bool> Listening => _listening.Task;

    private readonly TaskCompletionSource<bool> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = Listen();
        _listening.TrySetResult(listener is not null);
        if (listener is null)
        {
            return;
        }

        var sampling = SampleAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(stoppingToken);
                }
                catch (SocketException ex)
                {
                    // Out of file descriptors and the like: the endpoint waits and tries again; the host must not stop
                    // (a background service's exception stops the host by default).
                    Log.RequestFailed(_logger, "", $"accept failed: {ex.Message}");
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
                    continue;
                }

                if (!_slots.Wait(0, CancellationToken.None))
                {
                    Refuse(client);
                    continue;
                }

                _ = ServeAsync(client, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await sampling;
            TryDelete(_options.SocketPath);
        }
    }

    /// <summary>Answers one client's request, then closes it and frees its slot; never throws.</summary>
    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        var request = "";
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            using (var deadline = Deadline(stoppingToken))
            {
                request = await ReadRequestAsync(stream, deadline.Token);
            }

            switch (request)
            {
                case StatusProtocol.Status:
                    await WriteAsync(stream, JsonSerializer.SerializeToUtf8Bytes(_report.Build(), StatusJson.Wire.StatusDocument), stoppingToken);
                    break;
                case StatusProtocol.Snapshot:
                    await SnapshotAsync(stream, stoppingToken);
                    break;
                case StatusProtocol.Aim:
                    await AimAsync(stream, stoppingToken);
                    break;
                default:
                    await WriteErrorAsync(stream, $"unknown request '{request}'; ask {StatusProtocol.Status}, {StatusProtocol.Snapshot} or {StatusProtocol.Aim}", stoppingToken);
                    break;
            }

            client.Shutdown(SocketShutdown.Send);
        }
        catch (OperationCanceledException)
        {
            // Shutdown, or a client that wrote nothing or read nothing in time: closed, as the protocol says.
            Log.RequestFailed(_logger, request, "timed out or stopping");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The client went away (aim's usual end).
            Log.RequestFailed(_logger, request, ex.Message);
        }
#pragma warning disable CA1031 // The handler's catch: a figure that cannot be read (the database busy) must not take the endpoint down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RequestError(_logger, request, ex);
        }
        finally
        {
            client.Dispose();
            _slots.Release();
        }
    }

    private async Task SnapshotAsync(NetworkStream stream, CancellationToken stoppingToken)
    {
        if (_tap is null)
        {
            await WriteErrorAsync(stream, "this agent has no camera stage", stoppingToken);
            return;
        }

        TappedFrame frame;
        using (var deadline = Deadline(stoppingToken))
        {
            try
            {
                frame = await _tap.NextFrameAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                await WriteErrorAsync(stream, $"no frame processed within {_options.RequestTimeout.TotalSeconds:0.#} s: {CameraState()}", stoppingToken);
                return;
            }
        }

        var header = new SnapshotHeader(
            frame.Width,
            frame.Height,
            frame.Sequence,
            _regionPoints.Select(p => new SnapshotPoint(p.X, p.Y)).ToArray(),
            Boxes(frame.Detections),
            Boxes(frame.LastDetections),
            frame.LastDetectionsSequence);
        using var deadlineWrite = Deadline(stoppingToken);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Line(header, StatusJson.Wire.SnapshotHeader)), deadlineWrite.Token);
        await stream.WriteAsync(frame.Pixels, deadlineWrite.Token);
    }

    private async Task AimAsync(NetworkStream stream, CancellationToken stoppingToken)
    {
        if (_tap is null)
        {
            await WriteErrorAsync(stream, "this agent has no camera stage", stoppingToken);
            return;
        }

        using var end = new CancellationTokenSource(StatusProtocol.MaxAimDuration, _time);
        using var aiming = CancellationTokenSource.CreateLinkedTokenSource(end.Token, stoppingToken);
        using var timer = new PeriodicTimer(StatusProtocol.AimInterval, _time);
        var (_, position) = _tap.PlateHeightsSince(long.MaxValue);
        try
        {
            while (await timer.WaitForNextTickAsync(aiming.Token))
            {
                TappedFrame? frame = null;
                using (var wait = new Deadline(StatusProtocol.AimInterval, _time, aiming.Token))
                {
                    try
                    {
                        frame = await _tap.NextFrameAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!aiming.IsCancellationRequested)
                    {
                    }
                }

                (var heights, position) = _tap.PlateHeightsSince(position);
                var sample = Measure(frame, heights);
                using var deadline = Deadline(aiming.Token);
                await stream.WriteAsync(Encoding.UTF8.GetBytes(Line(sample, StatusJson.Wire.AimSample)), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // Past the longest aim: the stream ends and the client sees it closed.
        }
    }

    /// <summary>One second of <c>aim</c> from the frame sampled (null: none came) and the plates found meanwhile.</summary>
    internal AimSample Measure(TappedFrame? frame, IReadOnlyList<double> plateHeights)
    {
        var framesPerSecond = _report.Build().Camera?.FramesPerSecond;
        if (frame is null)
        {
            return new AimSample(null, null, plateHeights, null, null, null, framesPerSecond, $"no frame processed in the last second: {CameraState()}");
        }

        var region = _region.Bounds(frame.Width, frame.Height);
        var brightness = ImageMeasures.MeanGray(frame.Pixels, frame.Width, frame.Height, region);
        double focus;
        string focusOn;
        if (frame.Detections.Count > 0)
        {
            focus = frame.Detections.Average(b => ImageMeasures.LaplacianVariance(frame.Pixels, frame.Width, frame.Height, b.ToPixelRect()));
            focusOn = "plates";
        }
        else
        {
            focus = ImageMeasures.LaplacianVariance(frame.Pixels, frame.Width, frame.Height, region);
            focusOn = "region";
        }

        return new AimSample(frame.Width, frame.Height, plateHeights, Math.Round(focus, 1), focusOn, Math.Round(brightness, 1), framesPerSecond, null);
    }

    private string CameraState() => _report.Build().Camera is { } camera
        ? camera.Problem is { } problem ? $"the camera is {camera.State}: {problem}" : $"the camera is {camera.State}"
        : "no camera";

    private static SnapshotBox[] Boxes(IReadOnlyList<PlateBox> boxes) =>
        boxes.Select(b => new SnapshotBox(Math.Round(b.Left, 1), Math.Round(b.Top, 1), Math.Round(b.Right, 1), Math.Round(b.Bottom, 1))).ToArray();

    private async Task SampleAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            do
            {
                _report.Sample();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Binds the socket, or logs why not and returns null.</summary>
    private Socket? Listen()
    {
        var path = Path.GetFullPath(_options.SocketPath);
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            Log.EndpointOff(_logger, path, $"the folder {folder} does not exist (the unit's RuntimeDirectory=edge-anpr makes it)");
            return null;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (File.Exists(path))
            {
                if (Answers(path))
                {
                    socket.Dispose();
                    Log.EndpointOff(_logger, path, "another agent already answers on it");
                    return null;
                }

                // Left by an agent that was killed: nothing listens, and bind would fail with "address in use".
                File.Delete(path);
                Log.StaleSocketRemoved(_logger, path);
            }

            socket.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                // Connecting needs write permission on the socket file (unix(7)): the service's group reads and writes.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }

            socket.Listen(StatusProtocol.MaxClients);
            Log.Listening(_logger, path);
            return socket;
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            socket.Dispose();
            Log.EndpointOff(_logger, path, ex.Message);
            return null;
        }
    }

    private static bool Answers(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Refuse(Socket client)
    {
        Log.Busy(_logger, StatusProtocol.MaxClients);
        try
        {
            // A few bytes into an empty socket buffer: never blocks.
            client.Send(BusyReply);
        }
        catch (SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.RequestFailed(_logger, "", $"could not remove {path}: {ex.Message}");
        }
    }

    private Deadline Deadline(CancellationToken stoppingToken) => new(_options.RequestTimeout, _time, stoppingToken);

    private static async Task<string> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[StatusProtocol.MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, newline).Trim();
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, length).Trim();
    }

    private async Task WriteAsync(NetworkStream stream, byte[] bytes, CancellationToken stoppingToken)
    {
        using var deadline = Deadline(stoppingToken);
        await stream.WriteAsync(bytes, deadline.Token);
    }

    private Task WriteErrorAsync(NetworkStream stream, string error, CancellationToken stoppingToken) =>
        WriteAsync(stream, Encoding.UTF8.GetBytes(Line(new ErrorReply(error), StatusJson.Wire.ErrorReply)), stoppingToken);

    private static string Line<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type) + "\n";
}
