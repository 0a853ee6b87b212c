using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary>Bad input to replay: exit 2 and one line on stderr that names the problem.</summary>
public sealed class ReplayCommandTests
{
    [Fact]
    public async Task A_missing_file()
    {
        var result = await CliRunner.RunAsync("replay", "/nonexistent/clip.mp4");

        AssertOneProblem(result, "/nonexistent/clip.mp4");
    }

    [Fact]
    public async Task A_file_that_is_not_video()
    {
        var notVideo = TestClips.NotAVideo();

        var result = await CliRunner.RunAsync("replay", notVideo);

        AssertOneProblem(result, notVideo);
    }

    [Fact]
    public async Task An_unknown_scheme()
    {
        var result = await CliRunner.RunAsync("replay", "ftp://camera.local/stream");

        AssertOneProblem(result, "'ftp'");
    }

    [Fact]
    public async Task An_unreachable_host_is_not_retried_in_a_replay()
    {
        var url = $"rtsp://127.0.0.1:{FreePorts.Next()}/stream";

        var result = await CliRunner.RunAsync("replay", url);

        AssertOneProblem(result, url);
    }

    [Fact]
    public async Task A_clip_is_read_to_its_end_without_dropping_a_frame()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 120);

        var result = await CliRunner.RunAsync("replay", clip);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("done: 120 frames of 320x240", result.OutputLines[^1], StringComparison.Ordinal);
        Assert.EndsWith("0 dropped", result.OutputLines[^1], StringComparison.Ordinal);
    }

    private static void AssertOneProblem(CliRunner.Result result, string named)
    {
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }
}
