using EdgeAnpr.Agent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Capture;

public sealed class DropOldestTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_slow_consumer_loses_the_oldest_frames_counted_and_the_pool_stays_small()
    {
        const int Capacity = 2;
        var clip = await TestClips.RampAsync(frames: 50, fps: 25);
        var rig = new CaptureRig(clip, output, queueCapacity: Capacity);

        var reading = rig.ReadAllAsync(hold: TimeSpan.FromMilliseconds(10));
        await rig.Service.RunAsync(CancellationToken.None);
        var frames = await reading;

        var status = rig.Service.Status;
        Assert.True(status.Dropped > 0, "a consumer holding each frame 10 ms must fall behind an unpaced file");
        Assert.Equal(rig.Queue.Dropped, status.Dropped);
        Assert.Equal(50, frames.Count + status.Dropped);
        Assert.Equal(frames.Select(f => f.Sequence).Order(), frames.Select(f => f.Sequence));
        Assert.Equal(frames.Count, frames.Select(f => f.Sequence).Distinct().Count());

        // Reused buffers carry the right picture for their sequence number.
        Assert.All(frames, f => Assert.InRange(f.Left, TestClips.RampLevel((int)f.Sequence) - 3, TestClips.RampLevel((int)f.Sequence) + 3));

        // Queue + the one the consumer holds + the one being filled (+1 for the drop racing the read).
        Assert.InRange(rig.Service.Pool!.Allocated, 1, Capacity + 3);
    }
}
