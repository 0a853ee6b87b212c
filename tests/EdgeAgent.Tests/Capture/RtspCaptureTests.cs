using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Capture;

/// <summary>A real RTSP camera (GStreamer's RTSP server on 127.0.0.1) read by real ffmpeg.</summary>
public sealed class RtspCaptureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Frames_resume_when_a_lost_camera_comes_back_on_the_same_port()
    {
        await using var camera = new RtspTestServer(FreePorts.Next());
        await camera.StartAsync();
        var options = RtspOptions();
        var rig = new CaptureRig(camera.Url, output, options);
        using var stop = new CancellationTokenSource();
        var reading = rig.ReadAllAsync();
        var run = rig.Service.RunAsync(stop.Token);

        await WaitForFramesAsync(rig, after: 0, "frames from the camera");
        Assert.Equal(new FrameFormat(320, 240, 15), rig.Service.Status.Format);
        Assert.Equal(CaptureState.Running, rig.Service.Status.State);

        await camera.KillAsync();
        await Wait.UntilAsync(() => rig.Service.Status.State == CaptureState.Retrying, CaptureRig.Patience, "capture to notice the camera is gone");
        Assert.NotNull(rig.Service.Status.Problem);

        await camera.StartAsync();
        await WaitForFramesAsync(rig, after: rig.Service.Frames, "frames after the camera came back");
        Assert.Null(rig.Service.Status.Problem);
        Assert.True(rig.Service.Status.Restarts >= 1);

        await StopAsync(rig, stop, run);
        var sequences = (await reading).Select(f => f.Sequence).ToList();
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (long)i), sequences); // numbering goes on across the restart
        Assert.True(rig.FfmpegProcessIds.Count >= 2, "the source was restarted, not the service");
    }

    [Fact]
    public async Task A_camera_that_stops_sending_is_restarted_after_the_stall_timeout()
    {
        await using var camera = new RtspTestServer(FreePorts.Next());
        await camera.StartAsync();
        var options = RtspOptions();
        var rig = new CaptureRig(camera.Url, output, options);
        using var stop = new CancellationTokenSource();
        var reading = rig.ReadAllAsync();
        var run = rig.Service.RunAsync(stop.Token);
        await WaitForFramesAsync(rig, after: 0, "frames from the camera");

        // Frozen, the server keeps its TCP connection open and sends nothing: only the stall watchdog sees it.
        await camera.PauseAsync();
        await Wait.UntilAsync(() => rig.Service.Status.State == CaptureState.Retrying, CaptureRig.Patience, "the stall to be noticed");
        // The watchdog fired a full second after the last frame, and the paused camera sent none since.
        Assert.Equal($"Camera source '{camera.Url}': no frame for 1 s.", rig.Service.Status.Problem);

        await camera.ResumeAsync();
        await WaitForFramesAsync(rig, after: rig.Service.Frames, "frames once the camera answers again");

        await StopAsync(rig, stop, run);
        await reading;
    }

    // A 1 s stall timeout, well under ffmpeg's own 5 s socket timeout, so the watchdog is what notices a
    // frozen camera. The first frame may take ConnectTimeout + StallTimeout = 6 s: ffmpeg probes an RTSP
    // stream for about 2 s before its first frame, longer when the machine is busy.
    private static CaptureOptions RtspOptions()
    {
        var options = CaptureRig.FastOptions();
        options.StallTimeout = TimeSpan.FromSeconds(1);
        options.ConnectTimeout = TimeSpan.FromSeconds(5);
        return options;
    }

    private static async Task WaitForFramesAsync(CaptureRig rig, long after, string what)
    {
        await Wait.UntilAsync(() => rig.Service.Frames >= after + 5 && rig.Service.Status.State == CaptureState.Running, CaptureRig.Patience, what);
    }

    // Cancels the run: it must end cancelled, every ffmpeg gone and nothing logged as an error.
    private static async Task StopAsync(CaptureRig rig, CancellationTokenSource stop, Task run)
    {
        await rig.CancelAsync(stop, run);
        rig.Logger.AssertNoErrors();
    }
}
