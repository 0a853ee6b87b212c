using EdgeAnpr.Agent.Capture;

namespace EdgeAnpr.Agent.Tests.Capture;

/// <summary>How <c>Capture:Decoder</c> is resolved: ffmpeg must list the decoder AND its device must exist.</summary>
public sealed class DecoderChoiceTests
{
    private static readonly HashSet<string> DebianFfmpeg = ["h264", "hevc", "h264_v4l2m2m", "hevc_v4l2m2m"];
    private static readonly HashSet<string> RockchipFfmpeg = ["h264", "hevc", "h264_rkmpp", "hevc_rkmpp"];

    [Fact]
    public void Auto_on_a_pi_4_takes_its_v4l2_decoder()
    {
        var choice = DecoderChoice.Resolve("auto", DebianFfmpeg, d => d == "/dev/video10");

        Assert.Equal("h264_v4l2m2m", choice.Hardware);
        Assert.False(choice.Doubtful);
        Assert.Equal("h264_v4l2m2m (hardware)", choice.Description);
        Assert.Contains("/dev/video10 exists", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_on_an_rk3588_with_an_rkmpp_ffmpeg_takes_its_h264_decoder()
    {
        var choice = DecoderChoice.Resolve("auto", RockchipFfmpeg, d => d == "/dev/mpp_service");

        Assert.Equal("h264_rkmpp", choice.Hardware);
    }

    /// <summary>This x86 machine, and a Pi 5: Debian's ffmpeg lists the V4L2 wrappers, but no decoder device exists.</summary>
    [Fact]
    public void Auto_without_the_device_is_software_and_says_why()
    {
        var choice = DecoderChoice.Resolve("auto", DebianFfmpeg, _ => false);

        Assert.Null(choice.Hardware);
        Assert.Equal("software", choice.Description);
        Assert.Contains("h264_v4l2m2m: no /dev/video10", choice.Reason, StringComparison.Ordinal);
        Assert.Contains("h264_rkmpp: not in this ffmpeg", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_with_an_rk3588_device_but_debians_ffmpeg_is_software()
    {
        Assert.Null(DecoderChoice.Resolve("auto", DebianFfmpeg, d => d == "/dev/mpp_service").Hardware);
    }

    [Fact]
    public void A_named_decoder_is_tried_even_where_it_looks_unavailable_and_says_so()
    {
        var choice = DecoderChoice.Resolve("h264_rkmpp", DebianFfmpeg, _ => false);

        Assert.Equal("h264_rkmpp", choice.Hardware);
        Assert.True(choice.Doubtful);
        Assert.Contains("not in this ffmpeg", choice.Reason, StringComparison.Ordinal);
        Assert.Contains("fall-back to software", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Software_never_looks_for_hardware()
    {
        var choice = DecoderChoice.Resolve("software", DebianFfmpeg, _ => true);

        Assert.Null(choice.Hardware);
        Assert.Equal("Capture:Decoder is software", choice.Reason);
    }

    [Fact]
    public void Falling_back_happens_once()
    {
        var choice = DecoderChoice.Resolve("auto", DebianFfmpeg, d => d == "/dev/video10");

        Assert.True(choice.FallBack("could not open"));
        Assert.False(choice.FallBack("again"));
        Assert.Equal("software", choice.Description);
        Assert.Contains("h264_v4l2m2m failed (could not open)", choice.Reason, StringComparison.Ordinal);
    }

    /// <summary>This machine's real <c>ffmpeg -decoders</c>: Debian builds the V4L2 wrappers on x86 too, so auto must check the device.</summary>
    [Fact]
    public async Task This_machines_ffmpeg_lists_the_v4l2_wrapper_but_auto_finds_no_device()
    {
        var choice = await DecoderChoice.ResolveAsync("auto", "ffmpeg", CancellationToken.None);

        Assert.Null(choice.Hardware);
        Assert.Contains("h264_v4l2m2m: no /dev/video10", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ffmpeg_that_does_not_run_means_software()
    {
        var choice = await DecoderChoice.ResolveAsync("auto", "/nonexistent/ffmpeg", CancellationToken.None);

        Assert.Null(choice.Hardware);
        Assert.Contains("ffmpeg did not list its decoders", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_decoder_list_is_read_below_the_legend()
    {
        const string output = """
            Decoders:
             V..... = Video
             A..... = Audio
             ------
             VFS..D h264                 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10
             V..... h264_v4l2m2m         V4L2 mem2mem H.264 decoder wrapper (codec h264)
            """;

        Assert.Equal(["h264", "h264_v4l2m2m"], HardwareDecoders.ParseDecoderList(output).Order());
    }
}
