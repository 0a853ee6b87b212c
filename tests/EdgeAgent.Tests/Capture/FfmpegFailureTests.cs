using EdgeAnpr.Agent.Capture;

namespace EdgeAnpr.Agent.Tests.Capture;

public sealed class FfmpegFailureTests
{
    private static readonly CameraSource Camera = CameraSource.Parse("rtsp://admin:hunter2@10.0.0.7/stream1");

    [Fact]
    public void A_known_complaint_becomes_a_reason_a_technician_can_act_on()
    {
        var error = FfmpegFailure.From(Camera, ["[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized", "rtsp://admin:hunter2@10.0.0.7/stream1: Server returned 401 Unauthorized (authorization failed)"], 1);

        Assert.False(error.IsPermanent);
        Assert.Equal("Camera source 'rtsp://admin:***@10.0.0.7/stream1': the camera rejected the user name or password (401).", error.Message);
    }

    [Fact]
    public void An_unknown_complaint_is_quoted_with_the_password_hidden()
    {
        var error = FfmpegFailure.From(Camera, ["rtsp://admin:hunter2@10.0.0.7/stream1: Something unexpected happened."], 1);

        Assert.Equal(
            "Camera source 'rtsp://admin:***@10.0.0.7/stream1': ffmpeg exited with code 1: rtsp://admin:***@10.0.0.7/stream1: Something unexpected happened.",
            error.Message);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
