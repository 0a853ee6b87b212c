using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Capture;

public sealed class FileCaptureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_frame_of_a_clip_arrives_in_order_with_its_pixels()
    {
        var clip = await TestClips.RampAsync(frames: 50, fps: 25);
        var rig = new CaptureRig(clip, output);

        var reading = rig.ReadAllAsync();
        await rig.Service.RunAsync(CancellationToken.None);
        var frames = await reading;

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.All(frames, f => Assert.Equal((320, 240), (f.Width, f.Height)));
        Assert.All(frames, f => Assert.InRange(f.Left, TestClips.RampLevel((int)f.Sequence) - 3, TestClips.RampLevel((int)f.Sequence) + 3));
        Assert.All(frames, f => Assert.True(f.Right >= 250, $"frame {f.Sequence}: right half {f.Right}, expected white"));
        Assert.Equal(TimeSpan.FromMilliseconds(40 * 49), frames[^1].SourceTime);
        rig.Logger.AssertNoErrors();
    }

    [Fact]
    public async Task The_end_of_a_file_completes_the_queue_and_ends_the_run()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, fps: 25, frames: 50);
        var rig = new CaptureRig(clip, output);

        var reading = rig.ReadAllAsync();
        await rig.Service.RunAsync(CancellationToken.None);

        Assert.Equal(50, (await reading).Count);
        Assert.True(rig.Queue.Reader.Completion.IsCompletedSuccessfully);
        var status = rig.Service.Status;
        Assert.Equal(CaptureState.Ended, status.State);
        Assert.Equal(new FrameFormat(320, 240, 25), status.Format);
        Assert.Equal((50L, 0L, 0), (status.Frames, status.Dropped, status.Restarts));
        Assert.NotNull(status.LastFrameTimestamp);
        Assert.All(rig.FfmpegProcessIds, id => Assert.False(CaptureRig.IsRunning(id)));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public async Task An_image_file_is_a_one_frame_source(string extension)
    {
        var image = await TestClips.ImageAsync(extension);
        var rig = new CaptureRig(image, output);

        var reading = rig.ReadAllAsync();
        await rig.Service.RunAsync(CancellationToken.None);

        var frame = Assert.Single(await reading);
        Assert.Equal((0L, 320, 240), (frame.Sequence, frame.Width, frame.Height));
        Assert.True(frame.Left <= 5 && frame.Right >= 250, $"left {frame.Left}, right {frame.Right}: expected black then white");
    }

    [Fact]
    public async Task A_paced_clip_is_never_delivered_ahead_of_its_own_time()
    {
        // One-sided on purpose: a busy machine can only make frames later, never earlier, so this cannot fail for want
        // of CPU. That an unpaced clip goes without -re (as fast as it decodes) is FfmpegArgumentsTests' to pin.
        var clip = await TestClips.RampAsync(frames: 50, fps: 25); // 2 s of video
        var rig = new CaptureRig(clip, output, pace: true);

        var start = TimeProvider.System.GetTimestamp();
        var reading = rig.ReadAllAsync();
        await rig.Service.RunAsync(CancellationToken.None);
        var took = TimeProvider.System.GetElapsedTime(start);

        Assert.Equal(50, (await reading).Count);
        Assert.True(took >= TimeSpan.FromSeconds(1.5), $"paced took {took.TotalSeconds:0.00} s for 2 s of video");
    }

    [Fact]
    public async Task Cancelling_stops_capture_and_its_ffmpeg_before_the_clip_ends()
    {
        var clip = await TestClips.RampAsync(frames: 250, fps: 25); // 10 s, paced
        var rig = new CaptureRig(clip, output, pace: true);
        using var stop = new CancellationTokenSource();
        var reading = rig.ReadAllAsync();
        var run = rig.Service.RunAsync(stop.Token);
        await Wait.UntilAsync(() => rig.Service.Frames >= 3, CaptureRig.Patience, "the first frames");

        // Ends cancelled, not at the end of the file, and takes its ffmpeg with it.
        await rig.CancelAsync(stop, run);

        Assert.True((await reading).Count < 250);
        Assert.Equal(CaptureState.Ended, rig.Service.Status.State);
        Assert.Single(rig.FfmpegProcessIds);
    }
}
