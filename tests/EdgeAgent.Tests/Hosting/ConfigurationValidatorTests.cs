using EdgeAnpr.Agent.Hosting;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Tests.Hosting;

public sealed class ConfigurationValidatorTests
{
    private static IReadOnlyList<string> Validate(params (string Key, string Value)[] values) =>
        ConfigurationValidator.Validate(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void A_complete_configuration_passes()
    {
        Assert.Empty(Validate(("Camera:Source", "/tmp/clip.mp4"), ("Capture:StallTimeout", "00:00:05"), ("Logging:LogLevel:Default", "Debug")));
    }

    [Fact]
    public void An_unknown_key_is_named_with_its_section()
    {
        var problem = Assert.Single(Validate(("Camera:Source", "/tmp/clip.mp4"), ("Camera:Sourse", "/tmp/other.mp4")));
        Assert.Contains("'Camera:Sourse'", problem, StringComparison.Ordinal);
        Assert.Contains("Source", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_section_is_named()
    {
        var problem = Assert.Single(Validate(("Camera:Source", "/tmp/clip.mp4"), ("Camra:Id", "x")));
        Assert.Contains("'Camra'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_duration_is_named()
    {
        var problem = Assert.Single(Validate(("Camera:Source", "/tmp/clip.mp4"), ("Capture:StallTimeout", "-00:00:05")));
        Assert.Contains("Capture", problem, StringComparison.Ordinal);
        Assert.Contains("StallTimeout", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duration_that_is_not_a_duration_is_named()
    {
        var problem = Assert.Single(Validate(("Camera:Source", "/tmp/clip.mp4"), ("Capture:RestartDelay", "five seconds")));
        Assert.Contains("Capture:RestartDelay", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_source_is_named()
    {
        var problem = Assert.Single(Validate(("Camera:Id", "gate-north")));
        Assert.Contains("Camera:Source", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_camera_id_that_would_break_topics_is_refused()
    {
        var problem = Assert.Single(Validate(("Camera:Source", "/tmp/clip.mp4"), ("Camera:Id", "north/#")));
        Assert.Contains("Camera:Id", problem, StringComparison.Ordinal);
    }
}
