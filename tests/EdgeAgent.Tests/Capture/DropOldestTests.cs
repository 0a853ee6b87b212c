using EdgeAnpr.Agent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Capture;

public sealed class DropOldestTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_consumer_that_falls_behind_loses_the_oldest_frames_counted_and_the_pool_stays_small()
    {
        const int Capacity = 2;
        var clip = await TestClips.RampAsync(frames: 50, fps: 25);
        var rig = new CaptureRig(clip, output, queueCapacity: Capacity);

        // The consumer reads nothing until capture has ended: the furthest a consumer can fall behind, whatever the
        // machine's speed. Every frame past the capacity pushes out the oldest one waiting.
        await rig.Service.RunAsync(CancellationToken.None);
        var frames = await rig.ReadAllAsync();

        var status = rig.Service.Status;
        Assert.Equal(50 - Capacity, status.Dropped);
        Assert.Equal(rig.Queue.Dropped, status.Dropped);
        Assert.Equal([48L, 49L], frames.Select(f => f.Sequence));

        // Buffers reused 48 times over carry the right picture for their sequence number.
        Assert.All(frames, f => Assert.InRange(f.Left, TestClips.RampLevel((int)f.Sequence) - 3, TestClips.RampLevel((int)f.Sequence) + 3));

        // The queue's frames + the one being filled: a dropped frame goes back to the pool before the next is rented.
        Assert.InRange(rig.Service.Pool!.Allocated, 1, Capacity + 1);
    }
}
