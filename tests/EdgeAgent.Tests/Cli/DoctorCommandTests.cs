using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Cli;

public sealed class DoctorCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-doctor-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_healthy_box_passes_every_check_with_one_line_each()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 25);
        var config = WriteConfig(clip, Path.Combine(_directory, "state"));

        var result = await CliRunner.RunAsync("doctor", "--config", config);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Output + result.Error);
        Assert.Equal(14, result.OutputLines.Length);
        Assert.Contains(result.OutputLines, l => l.StartsWith("ok", StringComparison.Ordinal) && l.Contains("320x240", StringComparison.Ordinal));
        Assert.DoesNotContain(result.OutputLines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    /// <summary>This machine's ffmpeg lists h264_v4l2m2m, but no /dev/video10 is behind it: auto says software, and why.</summary>
    [Fact]
    public async Task The_decoder_line_says_which_decoder_capture_will_use_and_why()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 25);
        var config = WriteConfig(clip, Path.Combine(_directory, "state"));

        var result = await CliRunner.RunAsync("doctor", "--config", config);

        var decoder = Assert.Single(result.OutputLines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == "decoder");
        Assert.StartsWith("ok", decoder, StringComparison.Ordinal);
        Assert.Contains("software: auto: no hardware decoder (h264_v4l2m2m: no /dev/video10;", decoder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_decoder_this_ffmpeg_lacks_is_a_warning_that_capture_will_fall_back()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 25);
        var config = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(config, $$"""{ "Camera": { "Source": "{{clip}}" }, "Capture": { "Decoder": "h264_rkmpp" }, "Storage": { "Directory": "{{Path.Combine(_directory, "state")}}" } }""");

        var result = await CliRunner.RunAsync("doctor", "--config", config, "--json");

        using var report = JsonDocument.Parse(result.Output);
        var decoder = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "decoder");
        Assert.Equal("Warn", decoder.GetProperty("outcome").GetString());
        Assert.Contains("h264_rkmpp (hardware): Capture:Decoder is h264_rkmpp, but not in this ffmpeg", decoder.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_camera_fails_its_check_and_the_exit_code()
    {
        var missing = Path.Combine(_directory, "gone.mp4");
        var config = WriteConfig(missing, Path.Combine(_directory, "state"));

        var result = await CliRunner.RunAsync("doctor", "--config", config, "--json");

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        using var report = JsonDocument.Parse(result.Output);
        Assert.False(report.RootElement.GetProperty("ok").GetBoolean());
        var camera = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "camera");
        Assert.Equal("Fail", camera.GetProperty("outcome").GetString());
        Assert.Contains(missing, camera.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_directory_that_cannot_be_written_fails_its_check()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 25);
        var config = WriteConfig(clip, "/proc/edge-anpr-state");

        var result = await CliRunner.RunAsync("doctor", "--config", config);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains(result.OutputLines, l => l.StartsWith("FAIL", StringComparison.Ordinal) && l.Contains("state directory", StringComparison.Ordinal));
    }

    private string WriteConfig(string source, string state)
    {
        var path = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(path, $$"""{ "Camera": { "Source": "{{source}}" }, "Storage": { "Directory": "{{state}}" } }""");
        return path;
    }
}
