using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary>A configuration mistake stops start-up, before the camera is opened, with the key's name.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-run-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("""{ "Camera": { "Source": "/x.mp4", "Sorce": "/y.mp4" } }""", "Camera:Sorce")]
    [InlineData("""{ "Camera": { "Source": "/x.mp4" }, "Capture": { "StallTimeout": "-00:00:03" } }""", "StallTimeout")]
    [InlineData("""{ "Camera": { "Id": "north" } }""", "Camera:Source")]
    [InlineData("""{ "Camera": { "Source": "/x.mp4" }, "Watchdog": { "StageTimeout": "00:00:00.500" } }""", "StageTimeout")]
    [InlineData("""{ "Camera": { "Source": "/x.mp4" }, "Watchdog": { "StageTimeot": "00:00:05" } }""", "Watchdog:StageTimeot")]
    public async Task A_bad_configuration_stops_run_naming_the_key(string json, string key)
    {
        var config = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(config, json);

        var result = await CliRunner.RunAsync("run", "--config", config);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains(key, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_variables_are_configuration_too_and_checked_the_same_way()
    {
        var config = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(config, """{ "Camera": { "Source": "/x.mp4" } }""");

        using var agent = AgentProcess.Start(new Dictionary<string, string> { ["EDGEANPR__Capture__QueueCapasity"] = "8" }, "run", "--config", config);
        var exitCode = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("Capture:QueueCapasity", agent.Error, StringComparison.Ordinal);
    }
}
