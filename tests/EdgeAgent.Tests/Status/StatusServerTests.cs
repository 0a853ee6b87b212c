using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Status;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Status;

/// <summary>The status socket in this process: a real Unix socket in a temporary folder, the clock faked.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StatusServerTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-anpr-status-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger<StatusServer> _log = TestLogs.For<StatusServer>(output);

    private string SocketPath => Path.Combine(_folder, "status.sock");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Status_is_answered_with_one_JSON_document_on_a_socket_the_group_may_use()
    {
        using var server = Server(SocketPath);
        await StartAsync(server);

        var answer = await AskAsync("status\n");

        using var document = JsonDocument.Parse(answer);
        Assert.True(document.RootElement.GetProperty("agentRunning").GetBoolean());
        Assert.Equal("starting", document.RootElement.GetProperty("camera").GetProperty("state").GetString());
        Assert.Equal("software", document.RootElement.GetProperty("camera").GetProperty("decoder").GetString());
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(SocketPath));

        await server.StopAsync(CancellationToken.None);
        Assert.False(File.Exists(SocketPath), "the socket is removed at stop");
    }

    [Fact]
    public async Task An_unknown_request_gets_one_error_line()
    {
        using var server = Server(SocketPath);
        await StartAsync(server);

        var answer = await AskAsync("reboot\n");

        Assert.Equal("{\"error\":\"unknown request 'reboot'; ask status, snapshot or aim\"}\n", answer);
        await server.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_client_that_writes_nothing_is_closed_after_the_request_timeout()
    {
        using var server = Server(SocketPath);
        await StartAsync(server);
        using var client = await ConnectAsync();
        var read = client.ReceiveAsync(new byte[16], SocketFlags.None);

        // The server arms its deadline when it starts reading, a moment after the accept: the clock moves in steps
        // until the connection closes, and the time moved must be the timeout at least.
        var moved = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(500);
        await Wait.UntilAsync(
            () =>
            {
                if (!read.IsCompleted)
                {
                    _time.Advance(step);
                    moved += step;
                }

                return read.IsCompleted;
            },
            Bound,
            "the silent client to be closed");

        Assert.Equal(0, await read);
        Assert.True(moved >= StatusOptions.DefaultRequestTimeout, $"closed after {moved} of fake time");

        // The slot is free again: the next client is answered.
        using var document = JsonDocument.Parse(await AskAsync("status\n"));
        await server.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_stale_socket_is_removed_and_the_endpoint_comes_up()
    {
        // Bound and not listening: connecting is refused, as on the file a killed agent leaves behind.
        using var killed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        killed.Bind(new UnixDomainSocketEndPoint(SocketPath));
        using var server = Server(SocketPath);
        await StartAsync(server);

        using var document = JsonDocument.Parse(await AskAsync("status\n"));
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Message == $"Removed a stale status socket {SocketPath} (nothing answered on it)");
        await server.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_second_agent_leaves_the_first_ones_socket_alone()
    {
        using var first = Server(SocketPath);
        await StartAsync(first);
        using var second = Server(SocketPath);

        await second.StartAsync(CancellationToken.None);

        Assert.False(await second.Listening.WaitAsync(Bound));
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Message.EndsWith($"{SocketPath}: another agent already answers on it", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(await AskAsync("status\n"));
        await second.StopAsync(CancellationToken.None);
        await first.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_missing_folder_turns_the_endpoint_off_with_one_line()
    {
        var missing = Path.Combine(_folder, "nowhere", "status.sock");
        using var server = Server(missing);

        await server.StartAsync(CancellationToken.None);

        Assert.False(await server.Listening.WaitAsync(Bound));
        var line = Assert.Single(_log.Collector.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal($"Status endpoint off, the agent runs on without it: {missing}: the folder {Path.GetDirectoryName(missing)} does not exist (the unit's RuntimeDirectory=edge-anpr makes it)", line.Message);
        await server.ExecuteTask!.WaitAsync(Bound);
        await server.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_snapshot_is_the_next_frame_the_pipeline_shows_the_tap()
    {
        var tap = new FrameTap();
        using var server = Server(SocketPath, tap, [new NormalizedPoint(0.1, 0.1), new NormalizedPoint(0.9, 0.1), new NormalizedPoint(0.5, 0.9)]);
        await StartAsync(server);
        var pool = new FramePool(8, 4);

        var asking = SnapshotAsync();
        while (!asking.IsCompleted)
        {
            // The request may not have reached the tap yet: offer frames until it has taken one.
            using var frame = pool.Rent();
            frame.Writable.Span.Fill(77);
            tap.Observe(frame, [new PlateDetection(new PlateBox(1, 1, 5, 3), 0.9f)]);
            await Task.WhenAny(asking, Task.Delay(10));
        }

        var (header, pixels) = await asking;
        Assert.Equal((8, 4), (header.Width, header.Height));
        Assert.All(pixels, p => Assert.Equal(77, p));
        Assert.Equal(32, pixels.Length);
        Assert.Equal(new SnapshotBox(1, 1, 5, 3), Assert.Single(header.Detections));
        Assert.Equal(3, header.RegionOfInterest.Count);
        await server.StopAsync(CancellationToken.None);
    }

    private Task<(SnapshotHeader Header, byte[] Pixels)> SnapshotAsync() => StatusClient.GetSnapshotAsync(SocketPath, Bound, CancellationToken.None);

    private StatusServer Server(string path, FrameTap? tap = null, NormalizedPoint[]? region = null)
    {
        var stats = new PipelineStats();
        var report = new StatusReport(_time, stats, new PipelineLiveness(_time, TimeSpan.Zero), TimeSpan.FromSeconds(30))
        {
            Capture = () => new CaptureStatus(CaptureState.Starting, null, null, 0, 0, 0, null),
        };
        return new StatusServer(report, tap, new StatusOptions { SocketPath = path }, region ?? [], _time, _log);
    }

    private static async Task StartAsync(StatusServer server)
    {
        await server.StartAsync(CancellationToken.None);
        Assert.True(await server.Listening.WaitAsync(Bound), "the endpoint listens");
    }

    private async Task<Socket> ConnectAsync()
    {
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return client;
    }

    private async Task<string> AskAsync(string request)
    {
        using var client = await ConnectAsync();
        await client.SendAsync(Encoding.UTF8.GetBytes(request), SocketFlags.None);
        await using var stream = new NetworkStream(client);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync().WaitAsync(Bound);
    }
}
