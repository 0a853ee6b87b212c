using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Capture;

/// <summary>
/// A hardware decoder that fails, with real ffmpeg: Debian's ffmpeg here has <c>h264_v4l2m2m</c> but no device behind it
/// ("Could not find a valid device"), and no <c>h264_rkmpp</c> at all ("Unknown decoder"). Capture falls back to
/// software with one warning and every frame still arrives.
/// </summary>
public sealed class DecoderFallbackTests(ITestOutputHelper output)
{
    private const int FellBack = 109;

    [Theory]
    [InlineData("h264_v4l2m2m")]
    [InlineData("h264_rkmpp")]
    public async Task A_recording_falls_back_to_software_once_and_every_frame_arrives(string decoder)
    {
        var clip = await TestClips.RampAsync(frames: 50, fps: 25);
        var options = CaptureRig.FastOptions();
        options.Decoder = decoder;
        var rig = new CaptureRig(clip, output, options, productSources: true);

        var reading = rig.ReadAllAsync();
        await rig.Service.RunAsync(CancellationToken.None);
        var frames = await reading;

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), frames.Select(f => f.Sequence));
        var warning = Assert.Single(rig.Logger.Collector.GetSnapshot(), e => e.Level >= LogLevel.Warning);
        Assert.Equal(FellBack, warning.Id.Id);
        Assert.Contains(decoder, warning.Message, StringComparison.Ordinal);
        Assert.Equal("software", rig.Service.Status.Decoder);
        Assert.Contains($"{decoder} failed", rig.Service.Decoder.Reason, StringComparison.Ordinal);
    }

    /// <summary>A live camera: the fallback reconnects at once, without a restart's backoff or its warning.</summary>
    [Fact]
    public async Task A_live_camera_falls_back_once_and_stays_on_software()
    {
        await using var camera = new RtspTestServer(FreePorts.Next());
        await camera.StartAsync();
        var options = CaptureRig.FastOptions();
        options.Decoder = "h264_v4l2m2m";
        var rig = new CaptureRig(camera.Url, output, options, productSources: true);
        using var stop = new CancellationTokenSource();

        var run = rig.Service.RunAsync(stop.Token);
        await using (var frames = rig.Queue.Reader.ReadAllAsync().GetAsyncEnumerator())
        {
            for (var i = 0; i < 10; i++)
            {
                Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(CaptureRig.Patience));
                frames.Current.Dispose();
            }
        }

        var status = rig.Service.Status;
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(CaptureRig.Patience));
        Assert.Equal(CaptureState.Running, status.State);
        Assert.Equal("software", status.Decoder);
        Assert.Equal(0, status.Restarts);
        Assert.Equal([FellBack], rig.Logger.Collector.GetSnapshot().Where(e => e.Level >= LogLevel.Warning).Select(e => e.Id.Id));
    }

    /// <summary>A camera that does not answer is not the decoder's fault: the hardware decoder stays chosen.</summary>
    [Fact]
    public async Task A_camera_that_does_not_answer_keeps_the_hardware_decoder()
    {
        var options = CaptureRig.FastOptions();
        options.Decoder = "h264_v4l2m2m";
        var logger = TestLogs.For<CaptureService>(output);
        var replay = new CaptureService(
            CameraSource.Parse($"rtsp://127.0.0.1:{FreePorts.Next()}/cam"), options, pace: false, new FrameQueue(4), TimeProvider.System, logger)
        {
            SuperviseLiveSources = false,
        };

        var failure = await Assert.ThrowsAsync<CaptureException>(() => replay.RunAsync(CancellationToken.None));

        Assert.Contains("connection refused", failure.Message, StringComparison.Ordinal);
        Assert.Equal("h264_v4l2m2m (hardware)", replay.Status.Decoder);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), e => e.Id.Id == FellBack);
    }

    [Fact]
    public void A_decoder_the_setting_does_not_know_is_named_in_one_line()
    {
        var problem = Assert.Single(ConfigurationValidator.Validate(new ConfigurationBuilder()
            .AddInMemoryCollection([new("Camera:Source", "/tmp/clip.mp4"), new("Capture:Decoder", "h264_v4l2")])
            .Build()));

        Assert.Contains("Capture:Decoder must be auto, software, h264_v4l2m2m, h264_rkmpp or hevc_rkmpp", problem, StringComparison.Ordinal);
    }
}
