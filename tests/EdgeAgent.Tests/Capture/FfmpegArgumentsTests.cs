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
}
