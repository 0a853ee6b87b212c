using EdgeAnpr.Agent.Doctor;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Topics;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Mqtt;

public sealed class MqttConnectionServiceTests(ITestOutputHelper output)
{
    private readonly FakeLogger<MqttTransport> _log = TestLogs.For<MqttTransport>(output);

    [Fact]
    public async Task The_service_says_online_while_connected_and_leaves_offline_when_stopped()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var status = AnprTopics.Status("site1", "cam9");
        var will = MqttWill.Offline(status);
        var transport = MqttTransport.Create(broker.ClientOptions("box-service"), "box-service", will, _log, TimeProvider.System);
        using var service = new MqttConnectionService(transport, will, TestLogs.For<MqttConnectionService>(output));
        await using var observer = await MqttTestKit.ConnectAsync(broker.ClientOptions("observer"), _log);
        observer.Subscribe(status, MqttQos.AtLeastOnce);

        await service.StartAsync(CancellationToken.None);
        Assert.Equal("online", (await observer.ReceiveAsync(m => m.Topic == status)).Text());

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(MqttConnectionState.Stopped, transport.Status.State);
        Assert.Equal("offline", (await observer.ReceiveAsync(m => m.Topic == status)).Text());
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task Doctor_reports_a_working_broker()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var check = await MqttDoctor.CheckAsync(broker.ClientOptions("box"), "box", TimeProvider.System, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(CheckOutcome.Ok, check.Outcome);
        Assert.Contains($"127.0.0.1:{broker.Port}", check.Detail, StringComparison.Ordinal);
        Assert.Contains("as box-doctor", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_why_the_broker_refuses()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { AllowAnonymous = false });
        var check = await MqttDoctor.CheckAsync(broker.ClientOptions("box"), "box", TimeProvider.System, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(CheckOutcome.Fail, check.Outcome);
        Assert.Contains("not authorised", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_a_broker_that_is_down()
    {
        var options = new MqttOptions { Host = "127.0.0.1", Port = FreePorts.Next() };
        var check = await MqttDoctor.CheckAsync(options, "box", TimeProvider.System, TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Equal(CheckOutcome.Fail, check.Outcome);
        Assert.Contains("connection refused", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_names_the_mqttnet_version_it_runs_with()
    {
        var check = MqttDoctor.Library();
        Assert.Equal(CheckOutcome.Ok, check.Outcome);
        Assert.StartsWith("MQTTnet 5.2.0.1603", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_warns_when_mqtt_is_off()
    {
        var check = await MqttDoctor.CheckAsync(new MqttOptions(), "box", TimeProvider.System, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Equal(CheckOutcome.Warn, check.Outcome);
    }
}
