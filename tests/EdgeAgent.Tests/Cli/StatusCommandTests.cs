using System.Text.Json;
using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Tests.Support;
using SkiaSharp;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary><c>status</c>, <c>snapshot</c> and <c>aim</c> against a running agent (a child process).</summary>
public sealed class StatusCommandTests(RunningAgent agent, ITestOutputHelper output) : IClassFixture<RunningAgent>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Status_json_reports_the_camera_pipeline_broker_watchlist_models_and_the_last_hour()
    {
        // Frames flow, the broker link is up and a pass of the listed plate has hit: then every part has its figures.
        var status = await PollStatusAsync(
            s => s.GetProperty("camera").GetProperty("frames").GetInt64() > 0
                && s.GetProperty("broker").GetProperty("state").GetString() == "connected"
                && s.GetProperty("lastHour").GetProperty("hits").GetInt64() >= 1,
            "frames, the broker link and a hit");

        Assert.True(status.GetProperty("agentRunning").GetBoolean());
        Assert.True(status.GetProperty("uptimeSeconds").GetDouble() > 0);
        Assert.Equal(("site1", "cam1"), (status.GetProperty("siteId").GetString(), status.GetProperty("cameraId").GetString()));
        var camera = status.GetProperty("camera");
        Assert.Equal("running", camera.GetProperty("state").GetString());
        Assert.Equal(RunningAgent.Width, camera.GetProperty("width").GetInt32());
        Assert.Equal(RunningAgent.Height, camera.GetProperty("height").GetInt32());
        Assert.Equal(25, camera.GetProperty("sourceFramesPerSecond").GetDouble());
        Assert.True(camera.TryGetProperty("decoder", out _), "camera.decoder is part of the document");
        Assert.True(camera.GetProperty("framesPerSecond").GetDouble() > 0);
        var pipeline = status.GetProperty("pipeline");
        Assert.Equal(["capture", "frame processing", "pass matching"], pipeline.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.True(pipeline.GetProperty("framesProcessed").GetInt64() > 0);
        Assert.True(pipeline.GetProperty("hits").GetInt64() >= 1);
        var lastHour = status.GetProperty("lastHour");
        Assert.True(lastHour.GetProperty("reads").GetInt64() >= lastHour.GetProperty("hits").GetInt64());
        Assert.Equal(1, status.GetProperty("watchlist").GetProperty("entries").GetInt64());
        Assert.True(status.GetProperty("outbox").GetProperty("depth").GetInt32() >= 0);
        Assert.Equal(
            ["detector", "reader-latin"],
            status.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.All(status.GetProperty("models").EnumerateArray(), m => Assert.Equal(12, m.GetProperty("sha256").GetString()!.Length));
        Assert.Equal(status.GetProperty("problems").GetArrayLength() == 0, status.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task Status_for_people_is_one_screen_without_colour_when_not_a_terminal()
    {
        await PollStatusAsync(s => s.GetProperty("camera").GetProperty("frames").GetInt64() > 0, "frames");

        var result = await CliRunner.RunAsync("status", "--config", agent.Site.Config);

        output.WriteLine(result.Output + result.Error);
        Assert.True(result.ExitCode is CliExitCodes.Ok or CliExitCodes.Problems, result.Error);
        Assert.StartsWith("edge-anpr ", result.Output, StringComparison.Ordinal);
        Assert.Contains(result.OutputLines, l => l.StartsWith("camera     running 864x576", StringComparison.Ordinal));
        Assert.Contains(result.OutputLines, l => l.StartsWith("watchlist  version none (not synced), 1 entries", StringComparison.Ordinal));
        Assert.Contains(result.OutputLines, l => l is "HEALTHY" || l.EndsWith("PROBLEM", StringComparison.Ordinal) || l.EndsWith("PROBLEMS", StringComparison.Ordinal));
        Assert.DoesNotContain('\e', result.Output);
        Assert.True(result.OutputLines.Length < 25, "one screen");
    }

    [Fact]
    public async Task Snapshot_writes_a_JPEG_of_the_frame_size_with_the_plates_drawn()
    {
        var path = Path.Combine(agent.Site.Folder, "aim.jpg");

        // Asked until a frame with a plate comes (a pass is in view 0.6 s of every 1.8 s): its plates are drawn green.
        JsonElement written = default;
        await PollAsync(
            async () =>
            {
                var result = await CliRunner.RunAsync("snapshot", "--out", path, "--json", "--config", agent.Site.Config);
                Assert.True(result.ExitCode == CliExitCodes.Ok, result.Error);
                written = JsonDocument.Parse(result.Output).RootElement.Clone();
                return written.GetProperty("plates").GetInt32() > 0
                    && written.GetProperty("platesFrame").ValueKind == JsonValueKind.Number
                    && written.GetProperty("platesFrame").GetInt64() == written.GetProperty("sequence").GetInt64();
            },
            "a snapshot of a frame with a plate");

        var jpeg = await File.ReadAllBytesAsync(path);
        Assert.Equal(jpeg.Length, written.GetProperty("bytes").GetInt64());
        Assert.Equal((RunningAgent.Width, RunningAgent.Height), JpegSize(jpeg));
        using var bitmap = SKBitmap.Decode(jpeg);
        Assert.Contains(Enumerable.Range(0, bitmap.Width * bitmap.Height), i => IsGreen(bitmap.GetPixel(i % bitmap.Width, i / bitmap.Width)));
    }

    [Fact]
    public async Task Snapshot_for_people_prints_the_path_and_size()
    {
        var path = Path.Combine(agent.Site.Folder, "frame.jpg");

        var result = await CliRunner.RunAsync("snapshot", "-o", path, "--config", agent.Site.Config);

        Assert.True(result.ExitCode == CliExitCodes.Ok, result.Error);
        var line = Assert.Single(result.OutputLines);
        Assert.StartsWith($"{path} ({new FileInfo(path).Length:N0} bytes, 864x576, frame ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aim_for_two_seconds_prints_a_summary_of_plate_size_focus_brightness_and_frame_rate()
    {
        var result = await CliRunner.RunAsync("aim", "--duration", "2", "--json", "--config", agent.Site.Config);

        output.WriteLine(result.Output + result.Error);
        Assert.True(result.ExitCode == CliExitCodes.Ok, result.Error);
        var summary = JsonDocument.Parse(Assert.Single(result.OutputLines)).RootElement;
        Assert.Equal(2, summary.GetProperty("seconds").GetInt32());
        Assert.Equal(RunningAgent.Width, summary.GetProperty("width").GetInt32());
        Assert.Equal(RecommendedPlateHeight.Min, summary.GetProperty("recommendedPlateHeightMin").GetInt32());
        Assert.Equal(RecommendedPlateHeight.Max, summary.GetProperty("recommendedPlateHeightMax").GetInt32());
        Assert.True(summary.GetProperty("framesPerSecondMedian").GetDouble() > 0);
        // Between passes the clip is black (focus 0), so only the kind is certain.
        Assert.True(summary.GetProperty("focusMedian").GetDouble() >= 0);
        Assert.InRange(summary.GetProperty("brightnessMedian").GetDouble(), 0, 255);
        var plates = summary.GetProperty("plates").GetInt32();
        Assert.Equal(plates == 0 ? JsonValueKind.Null : JsonValueKind.Number, summary.GetProperty("plateHeightMedian").ValueKind);
    }

    [Fact]
    public async Task Aim_for_people_prints_one_line_a_second_then_the_summary()
    {
        var result = await CliRunner.RunAsync("aim", "-d", "2", "--config", agent.Site.Config);

        Assert.True(result.ExitCode == CliExitCodes.Ok, result.Error);
        Assert.Equal(2, result.OutputLines.Count(l => l.Contains("frames/s", StringComparison.Ordinal) && l.Contains("want 24-110", StringComparison.Ordinal)));
        Assert.Contains(result.OutputLines, l => l.StartsWith("aim: 2 s, ", StringComparison.Ordinal));
    }

    /// <summary>The frame size in a JPEG's start-of-frame segment (ITU T.81 B.2.2: P, Y, X after the length).</summary>
    internal static (int Width, int Height) JpegSize(byte[] jpeg)
    {
        Assert.True(jpeg is [0xFF, 0xD8, ..], "starts with SOI");
        for (var i = 2; i + 9 < jpeg.Length;)
        {
            Assert.Equal(0xFF, jpeg[i]);
            var marker = jpeg[i + 1];
            var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker is >= 0xC0 and <= 0xC2)
            {
                return ((jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6]);
            }

            i += 2 + length;
        }

        Assert.Fail("no start-of-frame segment");
        return default;
    }

    private static bool IsGreen(SKColor c) => c.Green > c.Red + 80 && c.Green > c.Blue + 80;

    private async Task<JsonElement> PollStatusAsync(Func<JsonElement, bool> ready, string what)
    {
        JsonElement status = default;
        await PollAsync(
            async () =>
            {
                var result = await CliRunner.RunAsync("status", "--json", "--config", agent.Site.Config);
                Assert.True(result.ExitCode is CliExitCodes.Ok or CliExitCodes.Problems, $"exit {result.ExitCode}: {result.Error}");
                status = JsonDocument.Parse(result.Output).RootElement.Clone();
                return ready(status);
            },
            what);
        return status;
    }

    private async Task PollAsync(Func<Task<bool>> done, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(Bound.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!await done())
        {
            Assert.False(agent.Agent.HasExited, "the agent stopped: " + agent.Agent.Error);
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                Assert.Fail($"Timed out after {Bound.TotalSeconds:0} s waiting for {what}. Agent log:\n{agent.Agent.Error}");
            }

            await Task.Delay(100);
        }
    }
}
