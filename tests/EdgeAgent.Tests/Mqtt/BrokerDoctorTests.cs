using EdgeAnpr.Agent.Doctor;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Mqtt;

/// <summary>doctor's TCP line for the broker, against a real mosquitto and a port nothing listens on.</summary>
public sealed class BrokerDoctorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_listening_broker_passes_and_a_closed_port_is_named_refused()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var closed = FreePorts.Next();

        var ok = await BrokerDoctor.TcpAsync(new MqttOptions { Host = "127.0.0.1", Port = broker.Port }, TimeProvider.System, Timeout, CancellationToken.None);
        var refused = await BrokerDoctor.TcpAsync(new MqttOptions { Host = "127.0.0.1", Port = closed }, TimeProvider.System, Timeout, CancellationToken.None);
        var off = await BrokerDoctor.TcpAsync(new MqttOptions(), TimeProvider.System, Timeout, CancellationToken.None);

        Assert.Equal(CheckOutcome.Ok, ok.Outcome);
        Assert.StartsWith($"127.0.0.1:{broker.Port} accepts connections", ok.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Fail, refused.Outcome);
        Assert.Equal($"127.0.0.1:{closed}: connection refused (is the broker running, and is Mqtt:Port right?)", refused.Detail);
        Assert.Equal(CheckOutcome.Ok, off.Outcome);
    }
}
