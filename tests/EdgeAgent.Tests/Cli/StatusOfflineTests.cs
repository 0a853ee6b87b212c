using System.Net.Sockets;
using System.Text.Json;
using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Tests.Pipeline;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary><c>status</c>, <c>snapshot</c> and <c>aim</c> with no agent running, and their usage errors.</summary>
public sealed class StatusOfflineTests
{
    [Fact]
    public async Task Status_without_an_agent_exits_2_and_still_reports_the_outbox_from_the_database()
    {
        using var site = await HitSite.CreateAsync(mqttPort: null, ReplayReadsTests.Plate);
        var clip = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 2);
        var replay = await CliRunner.RunAsync("replay", clip, "--config", site.Config);
        Assert.True(replay.ExitCode == 0, replay.Error);
        var stored = site.OutboxCount();
        Assert.True(stored >= 1, "the replay stored its hits");

        var result = await CliRunner.RunAsync("status", "--json", "--config", site.Config);

        Assert.Equal(CliExitCodes.AgentUnreachable, result.ExitCode);
        var status = JsonDocument.Parse(result.Output).RootElement;
        Assert.False(status.GetProperty("agentRunning").GetBoolean());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("camera").ValueKind);
        Assert.Equal(stored, status.GetProperty("outbox").GetProperty("depth").GetInt32());
        Assert.True(status.GetProperty("outbox").GetProperty("oldestAgeSeconds").GetDouble() >= 0);
        Assert.Equal(1, status.GetProperty("watchlist").GetProperty("entries").GetInt64());
        Assert.Equal(2, status.GetProperty("models").GetArrayLength());
        var first = status.GetProperty("problems")[0];
        Assert.Equal($"the agent is not running: no status socket at {site.StatusSocket}", first.GetProperty("problem").GetString());
        Assert.Contains("systemctl start edge-anpr", first.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_for_people_without_an_agent_says_so_and_what_the_files_say()
    {
        using var site = await HitSite.CreateAsync(mqttPort: null, ReplayReadsTests.Plate);

        var result = await CliRunner.RunAsync("status", "--config", site.Config);

        Assert.Equal(CliExitCodes.AgentUnreachable, result.ExitCode);
        Assert.Equal("edge-anpr " + Agent.Status.StatusReport.AgentVersion + " · site1/cam1 · agent not running", result.OutputLines[0]);
        Assert.Contains("outbox     empty", result.OutputLines);
        Assert.Contains("watchlist  version none (not synced), 1 entries", result.OutputLines);
        Assert.Contains($"! the agent is not running: no status socket at {site.StatusSocket}", result.OutputLines);
    }

    [Fact]
    public async Task A_socket_left_by_a_killed_agent_reads_as_not_running()
    {
        using var site = await HitSite.CreateAsync(mqttPort: null, ReplayReadsTests.Plate);
        // Bound and not listening: connecting is refused, as on the file a killed agent leaves behind.
        using var killed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        killed.Bind(new UnixDomainSocketEndPoint(site.StatusSocket));

        var snapshot = await CliRunner.RunAsync("snapshot", "--config", site.Config);

        Assert.Equal(CliExitCodes.AgentUnreachable, snapshot.ExitCode);
        Assert.StartsWith($"edge-anpr: the agent is not running: nothing answers on {site.StatusSocket}", Assert.Single(snapshot.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(snapshot.Output);
    }

    [Theory]
    [InlineData("aim", "--duration", "0")]
    [InlineData("aim", "--duration", "16:00")]
    [InlineData("aim", "--duration", "soon")]
    [InlineData("status", "--colour")]
    [InlineData("snapshot", "extra")]
    public async Task A_bad_command_line_exits_64(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(CliExitCodes.Usage, result.ExitCode);
        Assert.NotEmpty(result.Error);
    }

    [Theory]
    [InlineData(null, 60)]
    [InlineData("10", 10)]
    [InlineData("2.5s", 2.5)]
    [InlineData("00:05:00", 300)]
    public void Aim_durations_are_seconds_or_a_time_span(string? text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), AimCommand.ParseDuration(text));
}
