using EdgeAnpr.Agent.Capture;

namespace EdgeAnpr.Agent.Tests.Capture;

public sealed class FfmpegHeaderTests
{
    [Fact]
    public void The_output_stream_line_gives_the_format_and_the_codec_tag_is_not_a_size()
    {
        var header = new FfmpegHeader();
        string[] lines =
        [
            "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':",
            "  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1280x720 [SAR 1:1 DAR 16:9], 45 kb/s, 25 fps, 25 tbr, 12800 tbn (default)",
            "Output #0, rawvideo, to 'pipe:':",
        ];
        Assert.All(lines, line => Assert.False(header.TryAccept(line, out _)));

        Assert.True(header.TryAccept(
            "  Stream #0:0(und): Video: rawvideo (Y800 / 0x30303859), gray(pc, progressive), 1280x720 [SAR 1:1 DAR 16:9], q=2-31, 221184 kb/s, 29.97 fps, 29.97 tbn (default)",
            out var format));
        Assert.Equal(new FrameFormat(1280, 720, 29.97), format);
    }

    [Fact]
    public void Without_a_rate_on_the_output_line_the_input_rate_is_used()
    {
        var header = new FfmpegHeader();
        header.TryAccept("  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(tv, smpte170m, progressive), 320x240, 15 tbr, 90k tbn", out _);
        header.TryAccept("Output #0, rawvideo, to 'pipe:':", out _);

        Assert.True(header.TryAccept("  Stream #0:0: Video: rawvideo (Y800 / 0x30303859), gray(pc, smpte170m, progressive), 320x240, q=2-31", out var format));
        Assert.Equal(new FrameFormat(320, 240, 15), format);
    }
}
