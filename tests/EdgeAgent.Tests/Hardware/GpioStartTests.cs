using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Cli;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary><c>edge-anpr run</c> with GPIO on, on this machine without a GPIO chip: the start fails with the one line.</summary>
public sealed class GpioStartTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-gpio-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task With_gpio_on_and_no_chip_the_run_stops_with_the_line_naming_what_is_missing()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 25);
        var config = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(config, $$"""
            {
              "Camera": { "Source": "{{clip}}" },
              "Storage": { "Directory": "{{Path.Combine(_directory, "state")}}" },
              "Gpio": { "Enabled": true, "Chip": "/dev/gpiochip99", "Relay": { "Line": 17 } }
            }
            """);

        var result = await CliRunner.RunAsync("run", "--config", config);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var expected = LibGpiod.Missing("/dev/gpiochip99", LibGpiod.FindLibrary())!;
        Assert.Single(result.ErrorLines, l => l.Contains(expected, StringComparison.Ordinal));
    }
}
