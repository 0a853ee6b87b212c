using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Pipeline;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Data.Sqlite;

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
        var config = WriteConfig(clip, pace: true);
        using var notify = new NotifySocket(_directory);

        using var agent = AgentProcess.Start(notify.Environment(TimeSpan.FromSeconds(1.5)), "run", "--config", config);

        var ready = await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30), agent);
        await notify.WaitForAsync(m => m.StartsWith("STATUS=running", StringComparison.Ordinal), TimeSpan.FromSeconds(30), agent);
        var ping = await notify.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(30), agent);
        Assert.DoesNotContain("WATCHDOG=1", notify.Messages[..ready]);
        Assert.True(ready < ping, "READY=1 must come before the first WATCHDOG=1");
        Assert.NotEmpty(AgentProcess.ProcessesMentioning(clip));

        var stopping = TimeProvider.System.GetTimestamp();
        agent.Terminate();
        var exitCode = await agent.WaitForExitAsync(TimeSpan.FromSeconds(5));
        var stopTime = TimeProvider.System.GetElapsedTime(stopping);

        await notify.WaitForAsync(m => m == "STOPPING=1", TimeSpan.FromSeconds(1), agent);
        Assert.Equal(0, exitCode);
        Assert.True(stopTime < TimeSpan.FromSeconds(5), $"stopped in {stopTime.TotalSeconds:0.0} s");
        Assert.Empty(AgentProcess.ProcessesMentioning(clip));
    }

    [Fact]
    public async Task A_camera_that_never_answers_gets_READY_and_steady_WATCHDOG_pings_while_STATUS_says_it_is_down()
    {
        await using var camera = new SilentCamera();
        var config = WriteConfig(camera.Url, pace: false);
        using var notify = new NotifySocket(_directory);

        using var agent = AgentProcess.Start(notify.Environment(TimeSpan.FromSeconds(1.5)), "run", "--config", config);

        // The service is up without a single frame: READY=1, then the camera reported down, then the pings go on.
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30), agent);
        var down = await notify.WaitForAsync(m => m.StartsWith("STATUS=camera down", StringComparison.Ordinal), TimeSpan.FromSeconds(30), agent);
        for (var i = 0; i < 10; i++)
        {
            await notify.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(10), agent);
        }

        // Ten pings at a third of the interval span more than one restart of the camera (1 s + 1 s to the first frame).
        var after = notify.Messages[down..];
        Assert.All(after.Where(m => m.StartsWith("STATUS=", StringComparison.Ordinal)), m => Assert.StartsWith("STATUS=camera down", m, StringComparison.Ordinal));
        Assert.DoesNotContain(notify.Messages, m => m.StartsWith("STATUS=running", StringComparison.Ordinal));
        Assert.True(camera.Connections >= 1, "ffmpeg reached the camera's port");

        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_stage_wedged_on_a_locked_database_stops_the_pings_until_it_moves_again()
    {
        using var site = await HitSite.CreateAsync(null, ReplayReadsTests.Plate);
        var passes = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 12);
        await site.SetCameraAsync(passes, pace: true);
        using var notify = new NotifySocket(site.Folder);
        var environment = notify.Environment(TimeSpan.FromSeconds(1.5));
        environment["EDGEANPR__Watchdog__StageTimeout"] = "00:00:02";

        using var agent = AgentProcess.Start(environment, "run", "--config", site.Config);
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(30), agent);
        await notify.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(30), agent);

        // Another process holds the database's write lock: the pass stage's commit of the next hit waits on it
        // (SQLite's busy timeout, then retries with backoff) and the stage sits on that one pass.
        int stuck;
        using (var writer = new SqliteConnection($"Data Source={Path.Combine(site.StateDirectory, AgentDatabase.FileName)};Pooling=False"))
        {
            writer.Open();
            using var exclusive = writer.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            exclusive.ExecuteNonQuery();
            stuck = await notify.WaitForAsync(m => m.StartsWith("STATUS=stuck: pass matching", StringComparison.Ordinal), TimeSpan.FromSeconds(60), agent);
        }

        // Lock released (the connection closed): the commit goes through, the status moves on and the pings come back.
        var moving = await notify.WaitForAsync(m => m.StartsWith("STATUS=", StringComparison.Ordinal), TimeSpan.FromSeconds(60), agent);
        await notify.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(10), agent);
        Assert.DoesNotContain("WATCHDOG=1", notify.Messages[stuck..moving]);
        Assert.DoesNotContain("stuck", notify.Messages[moving], StringComparison.Ordinal);
        await Wait.UntilAsync(() => site.OutboxCount() >= 1, TimeSpan.FromSeconds(30), "the held hit to be committed");
        Assert.Contains("Watchdog pings stopped: the pass matching stage", agent.Error, StringComparison.Ordinal);

        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        foreach (var ffmpeg in AgentProcess.ProcessesMentioning(passes))
        {
            using var child = System.Diagnostics.Process.GetProcessById(ffmpeg);
            child.Kill();
        }
    }

    [Fact]
    public async Task A_notify_socket_that_is_gone_is_logged_once_and_the_service_runs_on()
    {
        await using var camera = new SilentCamera();
        var config = WriteConfig(camera.Url, pace: false);
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = Path.Combine(_directory, "gone.sock"), ["WATCHDOG_USEC"] = "1500000" };

        using var agent = AgentProcess.Start(environment, "run", "--config", config);

        // Two failed camera attempts take several notification ticks: each tick's send fails, one line says so.
        await Wait.UntilAsync(() => agent.Error.Contains("Capture attempt 2 failed", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the second camera attempt");
        Assert.Single(agent.Error.Split('\n'), l => l.Contains("systemd notification failed", StringComparison.Ordinal));

        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
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

    private string WriteConfig(string source, bool pace)
    {
        var path = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(path, $$"""
            {
              "Camera": { "Id": "test", "Source": "{{source}}", "Pace": {{(pace ? "true" : "false")}} },
              "Capture": { "ConnectTimeout": "00:00:01", "StallTimeout": "00:00:01", "RestartDelay": "00:00:00.200", "MaxRestartDelay": "00:00:01" },
              "Storage": { "Directory": "{{Path.Combine(_directory, "state")}}" }
            }
            """);
        return path;
    }
}
