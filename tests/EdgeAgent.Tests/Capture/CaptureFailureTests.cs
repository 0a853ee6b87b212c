using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Capture;

public sealed class CaptureFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_missing_file_fails_at_once_naming_the_file()
    {
        var path = Path.Combine(TestClips.Folder, "no-such-clip.mp4");
        var rig = new CaptureRig(path, output);

        var error = await Assert.ThrowsAsync<CaptureException>(() => rig.Service.RunAsync(CancellationToken.None));

        Assert.True(error.IsPermanent);
        Assert.Equal($"Camera source '{path}': file not found.", error.Message);
        AssertFailedWith(rig, error);
        Assert.Empty(rig.FfmpegProcessIds);
    }

    [Fact]
    public async Task A_file_that_is_not_video_fails_saying_so()
    {
        var path = TestClips.NotAVideo();
        var rig = new CaptureRig(path, output);

        var error = await Assert.ThrowsAsync<CaptureException>(() => rig.Service.RunAsync(CancellationToken.None));

        Assert.True(error.IsPermanent);
        Assert.Equal($"Camera source '{path}': is not a video or image ffmpeg can read.", error.Message);
        AssertFailedWith(rig, error);
    }

    [Fact]
    public async Task A_file_without_video_fails_saying_so()
    {
        var path = await TestClips.AudioOnlyAsync();
        var rig = new CaptureRig(path, output);

        var error = await Assert.ThrowsAsync<CaptureException>(() => rig.Service.RunAsync(CancellationToken.None));

        Assert.True(error.IsPermanent);
        Assert.Equal($"Camera source '{path}': has no video stream.", error.Message);
        AssertFailedWith(rig, error);
    }

    [Fact]
    public void An_unknown_scheme_is_rejected_naming_the_accepted_forms()
    {
        var error = Assert.Throws<CaptureException>(() => CameraSource.Parse("http://user:secret@cam.local/video"));

        Assert.Equal(
            "Unknown camera source scheme 'http' in 'http://user:***@cam.local/video': use a file path, rtsp://host/path or /dev/videoN.",
            error.Message);
    }

    [Fact]
    public async Task A_missing_ffmpeg_fails_for_good_saying_how_to_install_it()
    {
        var clip = await TestClips.RampAsync();
        var options = CaptureRig.FastOptions();
        options.FfmpegPath = "/nonexistent/ffmpeg";
        var rig = new CaptureRig(clip, output, options);

        var error = await Assert.ThrowsAsync<CaptureException>(() => rig.Service.RunAsync(CancellationToken.None));

        Assert.True(error.IsPermanent);
        Assert.StartsWith($"Camera source '{clip}': cannot run ffmpeg ('/nonexistent/ffmpeg'", error.Message, StringComparison.Ordinal);
        Assert.Contains("sudo apt-get install ffmpeg", error.Message, StringComparison.Ordinal);
        AssertFailedWith(rig, error);
    }

    [Fact]
    public async Task An_unreachable_camera_is_retried_and_the_status_names_the_problem()
    {
        var url = $"rtsp://127.0.0.1:{FreePorts.Next()}/cam";
        var rig = new CaptureRig(url, output);
        using var stop = new CancellationTokenSource();

        var run = rig.Service.RunAsync(stop.Token);
        await Wait.UntilAsync(() => rig.Service.Status.Restarts >= 3, CaptureRig.Patience, "three failed attempts");

        var status = rig.Service.Status;
        Assert.Equal(CaptureState.Retrying, status.State);
        Assert.Equal($"Camera source '{url}': connection refused (is the camera on, and is the port right?).", status.Problem);
        var attempts = rig.Logger.Collector.GetSnapshot().Where(e => e.Id.Id == 102).Select(e => e.Message).ToList();
        Assert.StartsWith("Capture attempt 1 failed, retrying in ", attempts[0], StringComparison.Ordinal);
        Assert.StartsWith("Capture attempt 2 failed, retrying in ", attempts[1], StringComparison.Ordinal);
        Assert.All(attempts, a => Assert.EndsWith(status.Problem, a, StringComparison.Ordinal));
        Assert.All(rig.Logger.Collector.GetSnapshot().Where(e => e.Id.Id == 102), e => Assert.Equal(LogLevel.Warning, e.Level));

        await rig.CancelAsync(stop, run);
        rig.Logger.AssertNoErrors();
    }

    [Fact]
    public async Task A_missing_camera_device_is_retried_and_the_status_says_so()
    {
        var rig = new CaptureRig("/dev/video99", output);
        using var stop = new CancellationTokenSource();

        var run = rig.Service.RunAsync(stop.Token);
        await Wait.UntilAsync(() => rig.Service.Status.Restarts >= 2, CaptureRig.Patience, "two failed attempts");

        Assert.Equal(CaptureState.Retrying, rig.Service.Status.State);
        Assert.Equal("Camera source '/dev/video99': device not found (is the camera plugged in?).", rig.Service.Status.Problem);
        await rig.CancelAsync(stop, run);
    }

    [Fact]
    public async Task Restarts_wait_on_the_injected_clock_and_cancelling_does_not_wait_for_them()
    {
        // Backoff of an hour and more: on the real clock no second attempt could come while the test runs, so the one
        // that comes is the fake clock's doing, and nothing needs a sleep to show the first wait holds.
        var options = CaptureRig.FastOptions();
        options.RestartDelay = TimeSpan.FromHours(1);
        options.MaxRestartDelay = TimeSpan.FromHours(2);
        var time = new FakeTimeProvider();
        var rig = new CaptureRig($"rtsp://127.0.0.1:{FreePorts.Next()}/cam", output, options, time: time);
        using var stop = new CancellationTokenSource();
        var run = rig.Service.RunAsync(stop.Token);

        // The first attempt fails at once (connection refused); the retry then waits on a timer of the fake clock.
        await Wait.UntilAsync(() => rig.Service.Status.Restarts == 1, CaptureRig.Patience, "the first failure");
        Assert.Equal(CaptureState.Retrying, rig.Service.Status.State);

        // The failure is counted just before the retry's timer is armed, so the clock moves until the second attempt
        // comes: a move before the timer exists changes nothing, the first one after it fires it.
        await Wait.UntilAsync(
            () =>
            {
                if (rig.Service.Status.Restarts >= 2)
                {
                    return true;
                }

                time.Advance(options.MaxRestartDelay);
                return false;
            },
            CaptureRig.Patience,
            "the second attempt, once the clock moved");
        Assert.Equal(CaptureState.Retrying, rig.Service.Status.State);

        // Waiting on a two-hour backoff that the clock will never reach: cancelling ends the run all the same.
        await rig.CancelAsync(stop, run);
        Assert.Equal(2, rig.Service.Status.Restarts);
    }

    private static void AssertFailedWith(CaptureRig rig, CaptureException error)
    {
        var status = rig.Service.Status;
        Assert.Equal(CaptureState.Failed, status.State);
        Assert.Equal(error.Message, status.Problem);
        Assert.Equal(0, status.Restarts);
        Assert.Same(error, rig.Queue.Reader.Completion.Exception?.InnerException);
        var logged = Assert.Single(rig.Logger.Errors);
        Assert.Equal($"Capture failed for good: {error.Message}", logged.Message);
    }
}
