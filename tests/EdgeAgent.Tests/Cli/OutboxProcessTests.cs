using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Tests.Pipeline;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary><c>outbox purge</c> as a technician runs it: the real program beside the running agent, which holds the database.</summary>
public sealed class OutboxProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Beside_the_running_agent_purge_without_yes_refuses_and_changes_nothing_and_with_yes_removes_the_hit()
    {
        // MQTT off: the agent's hits stay in its outbox.
        using var site = await HitSite.CreateAsync(null, ReplayReadsTests.Plate);
        var passes = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 12);
        await site.SetCameraAsync(passes, pace: true);
        using var agent = AgentProcess.Start(null, "run", "--config", site.Config);
        await Wait.UntilAsync(() => site.OutboxCount() >= 1, Timeout, "the agent to store a hit");
        var stored = site.OutboxEventIds();

        // Standard input is a pipe, not a terminal: nothing to ask, so it refuses.
        var refused = await AgentProcess.RunAsync(Timeout, "outbox", "purge", "--all", "--config", site.Config);
        var kept = site.OutboxEventIds();
        var purged = await AgentProcess.RunAsync(Timeout, "outbox", "purge", stored[0], "--yes", "--config", site.Config, "--json");

        Assert.Equal(ToolExit.Usage, refused.ExitCode);
        Assert.Contains("standard input is not a terminal, so confirm with --yes. Nothing was removed.", refused.Error, StringComparison.Ordinal);
        Assert.Equal(stored, kept.Take(stored.Count));
        Assert.True(purged.ExitCode == ToolExit.Ok, purged.Error);
        Assert.Contains($"\"eventIds\":[\"{stored[0]}\"]", purged.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(stored[0], site.OutboxEventIds());

        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }
}
