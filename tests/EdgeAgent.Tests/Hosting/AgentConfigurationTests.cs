using EdgeAnpr.Agent.Hosting;

namespace EdgeAnpr.Agent.Tests.Hosting;

public sealed class AgentConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_file_is_read_and_overrides_win()
    {
        var file = Path.Combine(_directory, "a.json");
        File.WriteAllText(file, """{ "Camera": { "Id": "north", "Source": "/a.mp4" } }""");

        var configuration = AgentConfiguration.Load(file, [new("Camera:Source", "/b.mp4")]);

        Assert.Equal("north", configuration["Camera:Id"]);
        Assert.Equal("/b.mp4", configuration["Camera:Source"]);
    }

    [Fact]
    public void Invalid_json_names_the_file_and_line()
    {
        var file = Path.Combine(_directory, "bad.json");
        File.WriteAllText(file, "{\n  \"Camera\": { \"Id\": \"north\" \n}");

        var ex = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file));

        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains("line", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_names_the_file()
    {
        var file = Path.Combine(_directory, "missing.json");

        var ex = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file));

        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
    }
}
