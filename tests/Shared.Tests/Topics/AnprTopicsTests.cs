using EdgeAnpr.Shared.Topics;

namespace EdgeAnpr.Shared.Tests.Topics;

public sealed class AnprTopicsTests
{
    [Fact]
    public void Topics_follow_the_v1_tree()
    {
        Assert.Equal("anpr/v1/north/cam1/hit", AnprTopics.Hit("north", "cam1"));
        Assert.Equal("anpr/v1/north/cam1/status", AnprTopics.Status("north", "cam1"));
        Assert.Equal("anpr/v1/north/cam1/heartbeat", AnprTopics.Heartbeat("north", "cam1"));
        Assert.Equal("anpr/v1/north/watchlist/snapshot", AnprTopics.WatchlistSnapshot("north"));
        Assert.Equal("anpr/v1/north/watchlist/delta", AnprTopics.WatchlistDelta("north"));
        Assert.Equal("anpr/v1/north/+/hit", AnprTopics.AllHits("north"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("")]
    public void Ids_that_would_change_the_topic_are_refused(string id)
    {
        Assert.ThrowsAny<ArgumentException>(() => AnprTopics.Hit(id, "cam1"));
    }
}
