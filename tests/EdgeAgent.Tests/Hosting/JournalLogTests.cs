using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Tests.Systemd;

namespace EdgeAnpr.Agent.Tests.Hosting;

/// <summary>
/// Under systemd stderr goes to the journal and <c>JOURNAL_STREAM</c> says so: each line must then start with its syslog
/// priority, so that <c>journalctl -p warning</c> finds the problems (sd-daemon(3), SyslogLevelPrefix=).
/// </summary>
public sealed class JournalLogTests : IDisposable
{
    private const string JournalStream = "8:1234";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-journal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Information_and_warnings_carry_priorities_6_and_4()
    {
        await using var camera = new SilentCamera();
        var config = WriteConfig(camera.Url);

        using var agent = AgentProcess.Start(new Dictionary<string, string> { ["JOURNAL_STREAM"] = JournalStream }, "run", "--config", config);
        await Wait.UntilAsync(() => agent.Error.Contains("Capture attempt 1 failed", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a failed camera attempt");
        agent.Terminate();
        Assert.Equal(ExitCodes.Ok, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        var lines = Lines(agent.Error);
        Assert.All(lines, l => Assert.Matches("^<[0-7]>", l));
        Assert.Contains(lines, l => l.StartsWith("<6>", StringComparison.Ordinal) && l.Contains("Capturing from", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("<4>", StringComparison.Ordinal) && l.Contains("Capture attempt 1 failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Errors_and_the_final_line_carry_priority_3()
    {
        var config = WriteConfig(Path.Combine(_directory, "missing.mp4"));

        using var agent = AgentProcess.Start(new Dictionary<string, string> { ["JOURNAL_STREAM"] = JournalStream }, "run", "--config", config);
        Assert.Equal(ExitCodes.BadInput, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var lines = Lines(agent.Error);
        Assert.All(lines, l => Assert.Matches("^<[0-7]>", l));
        Assert.Contains(lines, l => l.StartsWith("<3>", StringComparison.Ordinal) && l.Contains("Capture failed for good", StringComparison.Ordinal));
        Assert.StartsWith("<3>edge-anpr: ", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_journal_lines_are_plain()
    {
        var config = WriteConfig(Path.Combine(_directory, "missing.mp4"));

        using var agent = AgentProcess.Start(null, "run", "--config", config);
        Assert.Equal(ExitCodes.BadInput, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var lines = Lines(agent.Error);
        Assert.DoesNotContain(lines, l => l.StartsWith('<'));
        Assert.Contains(lines, l => l.StartsWith("fail: ", StringComparison.Ordinal) && l.Contains("Capture failed for good", StringComparison.Ordinal));
        Assert.StartsWith("edge-anpr: ", lines[^1], StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private string WriteConfig(string source)
    {
        var path = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(path, $$"""
            {
              "Camera": { "Source": "{{source}}" },
              "Capture": { "ConnectTimeout": "00:00:01", "StallTimeout": "00:00:01", "RestartDelay": "00:00:00.200" },
              "Storage": { "Directory": "{{Path.Combine(_directory, "state")}}" }
            }
            """);
        return path;
    }
}
