using System.Net.Sockets;
using System.Text;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Systemd;

/// <summary>The service as systemd runs it: a real child process, a real notify socket, a real SIGTERM.</summary>
public sealed class ServiceProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-service-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Run_reports_ready_watchdog_and_status_then_stops_within_5_s_of_SIGTERM_with_ffmpeg()
    {
        // A 40 s clip paced at its frame rate stands in for a live camera.
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 1000);
        var config = WriteConfig(clip);
        var socketPath = Path.Combine(_directory, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var messages = new List<string>();

        using var agent = AgentProcess.Start(
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "1500000" },
            "run", "--config", config);

        await ReceiveUntilAsync(socket, messages, m => m == "WATCHDOG=1", TimeSpan.FromSeconds(30), agent);
        Assert.Contains("READY=1", messages);
        Assert.Contains(messages, m => m.StartsWith("STATUS=running", StringComparison.Ordinal));
        Assert.True(messages.IndexOf("READY=1") < messages.IndexOf("WATCHDOG=1"), "READY=1 must come before the first WATCHDOG=1");
        Assert.NotEmpty(AgentProcess.ProcessesMentioning(clip));

        var stopping = TimeProvider.System.GetTimestamp();
        agent.Terminate();
        var exitCode = await agent.WaitForExitAsync(TimeSpan.FromSeconds(5));
        var stopTime = TimeProvider.System.GetElapsedTime(stopping);

        await ReceiveUntilAsync(socket, messages, m => m == "STOPPING=1", TimeSpan.FromSeconds(1), agent);
        Assert.Equal(0, exitCode);
        Assert.True(stopTime < TimeSpan.FromSeconds(5), $"stopped in {stopTime.TotalSeconds:0.0} s");
        Assert.Empty(AgentProcess.ProcessesMentioning(clip));
    }

    [Fact]
    public async Task Replay_of_a_missing_file_exits_2_with_one_line()
    {
        var missing = Path.Combine(_directory, "nowhere.mp4");

        var (exitCode, output, error) = await AgentProcess.RunAsync(TimeSpan.FromSeconds(30), "replay", missing);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(missing, line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Replay_of_a_clip_prints_progress_and_a_summary()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 60);

        var (exitCode, output, error) = await AgentProcess.RunAsync(TimeSpan.FromSeconds(30), "replay", clip, "--json");

        Assert.True(exitCode == 0, error);
        var summary = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"type\":\"summary\"", summary, StringComparison.Ordinal);
        Assert.Contains("\"frames\":60", summary, StringComparison.Ordinal);
        Assert.Contains("\"width\":320", summary, StringComparison.Ordinal);
    }

    private string WriteConfig(string clip)
    {
        var path = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(path, $$"""
            {
              "Camera": { "Id": "test", "Source": "{{clip}}", "Pace": true },
              "Storage": { "Directory": "{{Path.Combine(_directory, "state")}}" }
            }
            """);
        return path;
    }

    private static async Task ReceiveUntilAsync(Socket socket, List<string> messages, Func<string, bool> done, TimeSpan timeout, AgentProcess agent)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, length);
                messages.Add(message);
                if (done(message))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No matching notification within {timeout.TotalSeconds:0.#} s; got [{string.Join(", ", messages)}]. stderr:\n{agent.Error}");
        }
    }
}
