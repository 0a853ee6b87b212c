using EdgeAnpr.Agent.Pipeline;

namespace EdgeAnpr.Agent.Tests.Cli;

public sealed class ConfigCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_good_file_is_ok()
    {
        var file = Write("good.json", """{ "Camera": { "Source": "rtsp://127.0.0.1:8554/cam" }, "Capture": { "StallTimeout": "00:00:08" } }""");

        var result = await CliRunner.RunAsync("config", "check", file);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("ok", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_default_configuration_is_valid()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "edge-anpr.default.json");

        var result = await CliRunner.RunAsync("config", "check", file);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
    }

    [Fact]
    public async Task Each_problem_is_one_line_naming_its_key()
    {
        var file = Write("bad.json", """{ "Camera": { "Source": "/x.mp4", "Pase": true }, "Captur": { } }""");

        var result = await CliRunner.RunAsync("config", "check", file);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(2, result.ErrorLines.Length);
        Assert.Contains(result.ErrorLines, l => l.Contains("'Camera:Pase'", StringComparison.Ordinal));
        Assert.Contains(result.ErrorLines, l => l.Contains("'Captur'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_source_scheme_is_named()
    {
        var file = Write("scheme.json", """{ "Camera": { "Source": "http://camera/stream" } }""");

        var result = await CliRunner.RunAsync("config", "check", file);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("Camera:Source", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_named()
    {
        var result = await CliRunner.RunAsync("config", "check", Path.Combine(_directory, "nope.json"));

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("nope.json", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    private string Write(string name, string json)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, json);
        return path;
    }
}
