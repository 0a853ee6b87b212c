using EdgeAnpr.Agent.Capture;

namespace EdgeAnpr.Agent.Tests.Capture;

public sealed class FfmpegArgumentsTests
{
    private static readonly CaptureOptions Options = new() { ConnectTimeout = TimeSpan.FromSeconds(3) };

    [Theory]
    [InlineData("/clips/a.mp4", false, "-nostdin -hide_banner -nostats -i /clips/a.mp4 -an -sn -dn -f rawvideo -pix_fmt gray -")]
    [InlineData("/clips/a.mp4", true, "-nostdin -hide_banner -nostats -re -i /clips/a.mp4 -an -sn -dn -f rawvideo -pix_fmt gray -")]
    [InlineData("rtsp://cam/s", true, "-nostdin -hide_banner -nostats -rtsp_transport tcp -timeout 3000000 -i rtsp://cam/s -an -sn -dn -f rawvideo -pix_fmt gray -")]
    [InlineData("/dev/video0", false, "-nostdin -hide_banner -nostats -f v4l2 -i /dev/video0 -an -sn -dn -f rawvideo -pix_fmt gray -")]
    public void Each_kind_of_source_gets_its_input_options(string source, bool pace, string expected) =>
        Assert.Equal(expected, string.Join(' ', FfmpegArguments.For(CameraSource.Parse(source), Options, pace)));

    [Theory]
    [InlineData("/clips/a.mp4", "h264_v4l2m2m", "-nostdin -hide_banner -nostats -c:v h264_v4l2m2m -i /clips/a.mp4 -an -sn -dn -f rawvideo -pix_fmt gray -")]
    [InlineData("rtsp://cam/s", "h264_rkmpp", "-nostdin -hide_banner -nostats -rtsp_transport tcp -timeout 3000000 -c:v h264_rkmpp -i rtsp://cam/s -an -sn -dn -f rawvideo -pix_fmt gray -")]
    [InlineData("rtsp://cam/s", "hevc_rkmpp", "-nostdin -hide_banner -nostats -rtsp_transport tcp -timeout 3000000 -c:v hevc_rkmpp -i rtsp://cam/s -an -sn -dn -f rawvideo -pix_fmt gray -")]
    [InlineData("/dev/video0", null, "-nostdin -hide_banner -nostats -f v4l2 -i /dev/video0 -an -sn -dn -f rawvideo -pix_fmt gray -")]
    public void A_hardware_decoder_is_an_input_option_before_the_input(string source, string? decoder, string expected) =>
        Assert.Equal(expected, string.Join(' ', FfmpegArguments.For(CameraSource.Parse(source), Options, pace: false, decoder)));

    /// <summary>Each setting, resolved on a Raspberry Pi 4 (its ffmpeg and devices described), gives these arguments.</summary>
    [Theory]
    [InlineData("auto", "-c:v h264_v4l2m2m -i")]
    [InlineData("software", "-i")]
    [InlineData("h264_v4l2m2m", "-c:v h264_v4l2m2m -i")]
    [InlineData("h264_rkmpp", "-c:v h264_rkmpp -i")]
    [InlineData("hevc_rkmpp", "-c:v hevc_rkmpp -i")]
    public void Each_setting_builds_its_decoder_arguments(string setting, string expected)
    {
        var pi4 = DecoderChoice.Resolve(setting, new HashSet<string> { "h264", "h264_v4l2m2m", "hevc_v4l2m2m" }, d => d == "/dev/video10");

        var args = string.Join(' ', FfmpegArguments.For(CameraSource.Parse("rtsp://cam/s"), Options, pace: false, pi4.Hardware));

        Assert.Contains(" 3000000 " + expected + " rtsp://cam/s", args, StringComparison.Ordinal);
    }
}
