using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Cli;
using EdgeAnpr.Agent.Tests.Imaging;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Pipeline;

/// <summary>
/// The whole pipeline on video: capture, motion gate, the committed detector and reader, tracking and voting, as
/// <c>replay</c> prints it. The clips are made from a labelled photo the models were never trained on.
/// </summary>
public sealed class ReplayReadsTests
{
    /// <summary>A Brazilian photo of br-scenes (never trained on) that the committed models read correctly.</summary>
    internal const string Plate = "GWT2180";

    internal static string Photo => Path.Combine(RepositoryFiles.SharedData, "br-scenes", "img", Plate + ".jpg");

    [Fact]
    public async Task Each_vehicle_pass_is_one_json_read_line_with_its_box_frames_and_times()
    {
        var clip = await TestClips.VehiclePassesAsync(Photo, passes: 2);

        var result = await CliRunner.RunAsync("replay", clip, "--json", "--region", "latin");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Empty(result.Error);
        var lines = result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["read", "read", "summary"], lines.Select(l => l.GetProperty("type").GetString()));
        for (var i = 0; i < 2; i++)
        {
            var read = lines[i];
            Assert.Equal(Plate, read.GetProperty("plate").GetString());
            Assert.Equal(Plate, read.GetProperty("display").GetString());
            Assert.Equal("latin", read.GetProperty("region").GetString());
            Assert.InRange(read.GetProperty("confidence").GetDouble(), 0.5, 1.0);
            Assert.Equal(Plate.Length, read.GetProperty("charConfidences").GetArrayLength());

            // The car is on screen for 0.6 s of each 1.8 s: 15 frames at 25 fps, give or take the edges.
            var frames = read.GetProperty("frames").EnumerateArray().Select(f => f.GetInt64()).ToList();
            var times = read.GetProperty("frameTimes").EnumerateArray().Select(f => f.GetDouble()).ToList();
            Assert.InRange(frames.Count, 10, 17);
            Assert.Equal(frames.Count, times.Count);
            Assert.Equal(frames.Order(), frames);
            Assert.All(times, t => Assert.InRange(t, (1.8 * i) - 0.001, (1.8 * i) + 0.65));
            Assert.Equal(times[0], read.GetProperty("firstSeen").GetDouble());
            Assert.Equal(times[^1], read.GetProperty("lastSeen").GetDouble());
            Assert.Contains(read.GetProperty("bestFrame").GetInt64(), frames);
            Assert.InRange(read.GetProperty("reads").GetInt32(), 5, frames.Count);

            var box = read.GetProperty("box");
            var (x, y, w, h) = (box.GetProperty("x").GetInt32(), box.GetProperty("y").GetInt32(), box.GetProperty("width").GetInt32(), box.GetProperty("height").GetInt32());
            Assert.True(x >= 0 && y >= 0 && x + w <= 864 && y + h <= 576 && w > 2 * h, $"box {x},{y} {w}x{h}");
        }

        var summary = lines[2];
        Assert.Equal(90, summary.GetProperty("frames").GetInt64());
        Assert.Equal(0, summary.GetProperty("dropped").GetInt64());
        Assert.Equal(0, summary.GetProperty("failedFrames").GetInt64());
        Assert.Equal(2, summary.GetProperty("reads").GetInt64());
        Assert.Equal(0, summary.GetProperty("hits").GetInt64());
    }

    [Fact]
    public async Task A_vehicle_still_in_view_when_the_recording_ends_is_read_too()
    {
        // Visible for the whole clip: its track is still open at the end, and is flushed rather than lost.
        var clip = await TestClips.VehiclePassesAsync(Photo, passes: 1, visible: 0.8, period: 0.8);

        var result = await CliRunner.RunAsync("replay", clip, "--region", "latin");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var read = Assert.Single(result.OutputLines, l => l.Contains(Plate, StringComparison.Ordinal));
        Assert.Contains("latin", read, StringComparison.Ordinal);
        Assert.EndsWith("1 reads, 0 dropped", result.OutputLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_moving_and_no_plate_gives_no_read()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 50, source: "smptebars");

        var result = await CliRunner.RunAsync("replay", clip, "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var summary = JsonDocument.Parse(Assert.Single(result.OutputLines)).RootElement;
        Assert.Equal(0, summary.GetProperty("reads").GetInt64());
        Assert.Equal(50, summary.GetProperty("frames").GetInt64());
    }

    [Fact]
    public async Task A_folder_is_read_image_by_image_and_an_image_that_cannot_be_decoded_is_one_line_and_skipped()
    {
        var folder = Path.Combine(Path.GetTempPath(), "edgeanpr-tests", "stills-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.Copy(Photo, Path.Combine(folder, "a.jpg"));
            await File.WriteAllTextAsync(Path.Combine(folder, "b.jpg"), "not a jpeg");
            File.Copy(Photo, Path.Combine(folder, "c.JPG"));
            await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not an image either, and not looked at");

            var result = await CliRunner.RunAsync("replay", folder, "--json", "--region", "latin");

            Assert.Equal(ExitCodes.Ok, result.ExitCode);
            Assert.Contains("b.jpg: skipped", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
            var lines = result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(["read", "read", "summary"], lines.Select(l => l.GetProperty("type").GetString()));
            Assert.Equal(["a.jpg", "c.JPG"], lines.Take(2).Select(l => l.GetProperty("file").GetString()));
            Assert.All(lines.Take(2), l => Assert.Equal(Plate, l.GetProperty("plate").GetString()));
            Assert.Equal(2, lines[2].GetProperty("frames").GetInt64());
            Assert.Equal(2, lines[2].GetProperty("reads").GetInt64());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("--region", "br", "--region 'br'")]
    [InlineData("--drain-timeout", "-1", "--drain-timeout -1")]
    public async Task A_bad_option_is_one_line_and_exit_2(string option, string value, string named)
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 10);

        var result = await CliRunner.RunAsync("replay", clip, option, value);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains(named, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
