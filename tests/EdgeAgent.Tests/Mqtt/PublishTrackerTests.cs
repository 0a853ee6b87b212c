using EdgeAnpr.Agent.Mqtt;

namespace EdgeAnpr.Agent.Tests.Mqtt;

/// <summary>Both orders of "publish returned its id" and "PUBACK for that id", which libmosquitto can produce.</summary>
public sealed class PublishTrackerTests
{
    [Fact]
    public void An_acknowledgement_after_registration_completes_the_publish()
    {
        var tracker = new PublishTracker();
        Assert.False(tracker.Register(7, new PendingPublish(70, null)));
        Assert.Equal(1, tracker.Pending);

        Assert.True(tracker.TryAcknowledge(7, out var publish));
        Assert.Equal(70, publish.Token);
        Assert.Equal(0, tracker.Pending);
    }

    [Fact]
    public void An_acknowledgement_before_registration_is_handed_to_the_publisher()
    {
        var tracker = new PublishTracker();
        Assert.False(tracker.TryAcknowledge(7, out _));

        Assert.True(tracker.Register(7, new PendingPublish(70, null)));
        Assert.Equal(0, tracker.Pending);
        Assert.Equal(1, tracker.AcknowledgedBeforeRegistered);

        // Collected once: the id can be used again (16-bit wrap) without a stale acknowledgement matching it.
        Assert.False(tracker.Register(7, new PendingPublish(71, null)));
        Assert.True(tracker.TryAcknowledge(7, out var again));
        Assert.Equal(71, again.Token);
    }

    [Fact]
    public void A_failed_publish_leaves_nothing_behind()
    {
        var tracker = new PublishTracker();
        Assert.False(tracker.TryAcknowledge(9, out _));
        tracker.Forget(9);
        Assert.False(tracker.Register(9, new PendingPublish(1, null)));
    }

    [Fact]
    public async Task Racing_publishers_and_acknowledgements_pair_every_id_exactly_once()
    {
        var tracker = new PublishTracker();
        const int Count = 20_000;
        var delivered = new int[Count];
        var acknowledger = Task.Run(() =>
        {
            for (var id = 0; id < Count; id++)
            {
                if (tracker.TryAcknowledge(id, out var publish))
                {
                    Interlocked.Increment(ref delivered[(int)publish.Token!.Value]);
                }
            }
        });
        var publisher = Task.Run(() =>
        {
            for (var id = 0; id < Count; id++)
            {
                if (tracker.Register(id, new PendingPublish(id, null)))
                {
                    Interlocked.Increment(ref delivered[id]);
                }
            }
        });

        await Task.WhenAll(acknowledger, publisher);

        Assert.All(delivered, count => Assert.Equal(1, count));
        Assert.Equal(0, tracker.Pending);
    }
}
