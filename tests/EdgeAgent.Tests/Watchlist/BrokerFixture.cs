using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Watchlist;

/// <summary>One real mosquitto for a test class; each test uses its own site (topics) and client ids, so they do not meet.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    internal MosquittoBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}
