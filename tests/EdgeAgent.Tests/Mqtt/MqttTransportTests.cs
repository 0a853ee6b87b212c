using System.Collections.Concurrent;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Mqtt;

/// <summary>The MQTTnet transport against a real mosquitto broker on 127.0.0.1.</summary>
public sealed class MqttTransportTests(ITestOutputHelper output)
{
    private readonly FakeLogger<MqttTransport> _log = TestLogs.For<MqttTransport>(output);

    [Fact]
    public async Task Concurrent_qos1_publishes_each_complete_on_their_own_puback_and_all_arrive()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var client = await MqttTestKit.ConnectAsync(broker.ClientOptions("acks"), _log);
        var options = broker.ClientOptions("acks-station");
        options.IncomingQueueCapacity = 4096;
        await using var station = await MqttTestKit.ConnectAsync(options, _log);
        await station.SubscribeAndConfirmAsync(client, "anpr/v1/test/acks");
        while (station.Messages.TryRead(out _))
        {
        }

        const int Publishers = 4;
        const int PerPublisher = 200; // 800 in all: under mosquitto's default queue of 1000 per subscriber
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
        {
            var window = new List<Task>();
            for (var i = 0; i < PerPublisher; i++)
            {
                window.Add(client.PublishAsync("anpr/v1/test/acks", MqttTestKit.Bytes($"hit {(p * PerPublisher) + i}")));
            }

            await Task.WhenAll(window);
        })));

        Assert.Equal(0, client.PendingAcknowledgements);
        var received = new HashSet<string>();
        while (received.Count < Publishers * PerPublisher)
        {
            Assert.True(received.Add((await station.ReceiveAsync()).Text()));
        }

        _log.AssertNoErrors();
    }

    [Fact]
    public async Task A_publish_whose_connection_drops_before_its_puback_fails_and_is_not_sent_again_by_the_transport()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = new MosquittoRelay(broker.Port, filterPubacks: true) { WithholdPubacks = true };
        var options = broker.ClientOptions("cut");
        options.Port = relay.Port;
        await using var client = await MqttTestKit.ConnectAsync(options, _log);

        var publish = client.PublishAsync("anpr/v1/test/cut", MqttTestKit.Bytes("unconfirmed"), MqttQos.AtLeastOnce, retain: false, CancellationToken.None);
        await Wait.UntilAsync(() => relay.Withheld >= 1, MqttTestKit.Timeout, "the broker's PUBACK to be withheld");
        Assert.False(publish.IsCompleted);
        relay.WithholdPubacks = false;
        relay.CutAll();

        var failure = await Assert.ThrowsAsync<MqttException>(() => publish.WaitAsync(MqttTestKit.Timeout));
        Assert.True(failure.IsNotConnected);
        // The publish can fail before the supervising loop has marked the link down, so "connected" alone may
        // still be the first connection: wait for the second one.
        await Wait.UntilAsync(() => client.Status is { IsConnected: true, Connects: 2 }, MqttTestKit.Timeout, "the reconnect after the cut");
        Assert.Equal(0, client.PendingAcknowledgements);
    }

    [Fact]
    public async Task The_callers_token_bounds_the_wait_for_a_puback()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = new MosquittoRelay(broker.Port, filterPubacks: true) { WithholdPubacks = true };
        var options = broker.ClientOptions("deadline");
        options.Port = relay.Port;
        await using var client = await MqttTestKit.ConnectAsync(options, _log);
        using var deadline = new CancellationTokenSource();

        var publish = client.PublishAsync("anpr/v1/test/deadline", MqttTestKit.Bytes("late"), MqttQos.AtLeastOnce, retain: false, deadline.Token);
        await Wait.UntilAsync(() => relay.Withheld >= 1, MqttTestKit.Timeout, "the broker's PUBACK to be withheld");
        await deadline.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish.WaitAsync(MqttTestKit.Timeout));
        Assert.True(client.IsConnected);
        Assert.Equal(0, client.PendingAcknowledgements);
    }

    [Fact]
    public async Task Received_messages_carry_a_copy_of_the_payload_and_the_retained_flag()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var publisher = await MqttTestKit.ConnectAsync(broker.ClientOptions("pub"), _log);
        await using var subscriber = await MqttTestKit.ConnectAsync(broker.ClientOptions("sub"), _log);
        await publisher.PublishAsync("anpr/v1/site1/watchlist/snapshot", MqttTestKit.Bytes("snapshot-1"), retain: true);

        subscriber.Subscribe("anpr/v1/site1/watchlist/#", MqttQos.AtLeastOnce);
        var retained = await subscriber.ReceiveAsync();
        Assert.Equal("anpr/v1/site1/watchlist/snapshot", retained.Topic);
        Assert.Equal("snapshot-1", retained.Text());
        Assert.True(retained.Retained);
        Assert.Equal(MqttQos.AtLeastOnce, retained.Qos);

        var binary = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        await publisher.PublishAsync("anpr/v1/site1/watchlist/delta", binary);
        var live = await subscriber.ReceiveAsync();
        Assert.Equal("anpr/v1/site1/watchlist/delta", live.Topic);
        Assert.False(live.Retained);
        Assert.Equal(binary, live.Payload.ToArray());

        var empty = Array.Empty<byte>();
        await publisher.PublishAsync("anpr/v1/site1/watchlist/delta", empty, MqttQos.AtMostOnce);
        Assert.Equal(0, (await subscriber.ReceiveAsync()).Payload.Length);
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task A_flood_of_messages_drops_the_oldest_and_counts_them()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var publisher = await MqttTestKit.ConnectAsync(broker.ClientOptions("flood-pub"), _log);
        var options = broker.ClientOptions("flood-sub");
        options.IncomingQueueCapacity = 8;
        await using var subscriber = await MqttTestKit.ConnectAsync(options, _log);
        await subscriber.SubscribeAndConfirmAsync(publisher, "flood");
        while (subscriber.Messages.TryRead(out _))
        {
        }

        for (var i = 0; i < 100; i++)
        {
            await publisher.PublishAsync("flood", MqttTestKit.Bytes($"{i}"));
        }

        await Wait.UntilAsync(() => subscriber.MessagesDropped == 92, MqttTestKit.Timeout, "92 dropped messages");
        Assert.Equal(8, subscriber.Messages.Count);
        Assert.Equal("92", (await subscriber.ReceiveAsync()).Text());
        await Wait.UntilAsync(() => _log.Collector.GetSnapshot().Any(e => e.Id.Id == 508), MqttTestKit.Timeout, "the drops to be logged");
        Assert.Equal(92, subscriber.Status.MessagesDropped);
    }

    [Fact]
    public async Task The_last_will_is_published_retained_when_the_connection_drops_without_a_disconnect()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = new MosquittoRelay(broker.Port);
        var status = Shared.Topics.AnprTopics.Status("site1", "cam1");
        await using var observer = await MqttTestKit.ConnectAsync(broker.ClientOptions("observer"), _log);
        observer.Subscribe(status, MqttQos.AtLeastOnce);

        var boxOptions = broker.ClientOptions("box");
        boxOptions.Port = relay.Port;
        await using var box = await MqttTestKit.ConnectAsync(boxOptions, _log, MqttWill.Offline(status));
        await box.PublishAsync(status, MqttTestKit.Bytes(MqttWill.OnlinePayload), retain: true);
        Assert.Equal("online", (await observer.ReceiveAsync(m => m.Topic == status)).Text());

        relay.CutAll();

        var will = await observer.ReceiveAsync(m => m.Topic == status);
        Assert.Equal("offline", will.Text());
        await using var latecomer = await MqttTestKit.ConnectAsync(broker.ClientOptions("latecomer"), _log);
        latecomer.Subscribe(status, MqttQos.AtLeastOnce);
        var kept = await latecomer.ReceiveAsync(m => m.Topic == status);
        Assert.Equal("offline", kept.Text());
        Assert.True(kept.Retained);

        // The box notices too, and comes back by itself through the relay.
        await Wait.UntilAsync(() => relay.Accepted >= 2, MqttTestKit.Timeout, "the box to reconnect");
        await box.WaitForAsync(MqttConnectionState.Connected);
        Assert.Contains(_log.Collector.GetSnapshot(), e => e.Id.Id == 502 && e.Message.Contains($"127.0.0.1:{relay.Port}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clean_stop_leaves_offline_on_the_status_topic()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var status = Shared.Topics.AnprTopics.Status("site1", "cam2");
        var box = await MqttTestKit.ConnectAsync(broker.ClientOptions("box"), _log, MqttWill.Offline(status));
        await box.PublishAsync(status, MqttTestKit.Bytes(MqttWill.OnlinePayload), retain: true);
        await box.DisposeAsync();
        Assert.Equal(MqttConnectionState.Stopped, box.Status.State);

        await using var observer = await MqttTestKit.ConnectAsync(broker.ClientOptions("observer"), _log);
        observer.Subscribe(status, MqttQos.AtLeastOnce);
        var kept = await observer.ReceiveAsync(m => m.Topic == status);
        Assert.Equal("offline", kept.Text());
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task A_client_started_while_the_broker_is_down_connects_when_it_comes_up()
    {
        await using var broker = MosquittoBroker.Create();
        await using var client = MqttTestKit.Start(broker.ClientOptions("early-bird"), _log);
        await Wait.UntilAsync(
            () => client.Status is { State: MqttConnectionState.Disconnected, Reason: { } reason } && reason.Contains("connection refused", StringComparison.Ordinal),
            MqttTestKit.Timeout,
            "the refused connection to be reported");

        await broker.StartAsync();

        await client.WaitForAsync(MqttConnectionState.Connected);
        await client.PublishAsync("anpr/v1/test/early", MqttTestKit.Bytes("hello"));
        Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 503);
    }

    [Fact]
    public async Task After_a_broker_restart_the_client_reconnects_and_a_publish_while_it_was_down_failed_at_once()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var client = await MqttTestKit.ConnectAsync(broker.ClientOptions("restart"), _log);
        await client.PublishAsync("anpr/v1/test/restart", MqttTestKit.Bytes("before"));

        await broker.StopAsync();
        await client.WaitForAsync(MqttConnectionState.Disconnected);
        var offline = await Assert.ThrowsAsync<MqttException>(() => client.PublishAsync("anpr/v1/test/restart", MqttTestKit.Bytes("during")));
        Assert.True(offline.IsNotConnected);
        Assert.Contains("not connected", offline.Message, StringComparison.Ordinal);

        await broker.StartAsync();
        await client.WaitForAsync(MqttConnectionState.Connected);
        await client.PublishAsync("anpr/v1/test/restart", MqttTestKit.Bytes("after"));
        Assert.Equal(2, client.Status.Connects);
        Assert.Contains(_log.Collector.GetSnapshot(), e => e.Id.Id == 502 && e.Message.Contains($"127.0.0.1:{broker.Port}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_persistent_session_gets_qos1_messages_published_while_it_was_offline_even_across_a_broker_restart()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var publisher = await MqttTestKit.ConnectAsync(broker.ClientOptions("station"), _log);
        var topic = Shared.Topics.AnprTopics.WatchlistDelta("site1");
        var boxOptions = broker.ClientOptions("box-persistent");
        Assert.False(boxOptions.CleanSession);
        await using (var box = await MqttTestKit.ConnectAsync(boxOptions, _log))
        {
            await box.SubscribeAndConfirmAsync(publisher, topic);
        }

        await publisher.PublishAsync(topic, MqttTestKit.Bytes("delta-42"));
        await broker.StopAsync();
        await broker.StartAsync();

        // A new process: it has not subscribed; the broker kept the subscription and the message.
        await using var again = MqttTestKit.Start(boxOptions, _log);
        var delivered = await again.ReceiveAsync(m => m.Topic == topic && !m.Text().StartsWith("probe-", StringComparison.Ordinal));
        Assert.Equal("delta-42", delivered.Text());
        await Wait.UntilAsync(
            () => _log.Collector.GetSnapshot().Any(e => e.Id.Id == 501 && e.Message.Contains("session resumed: True", StringComparison.Ordinal)),
            MqttTestKit.Timeout,
            "the resumed session to be logged");
    }

    [Fact]
    public async Task Tls_with_client_certificates_connects_and_publishes()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        await using var client = await MqttTestKit.ConnectAsync(broker.ClientOptions("tls-box", tls: true), _log);
        await client.PublishAsync("anpr/v1/test/tls", MqttTestKit.Bytes("secret"));
        Assert.Contains("New client connected", broker.Log, StringComparison.Ordinal);
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task A_tls_client_reconnects_after_a_broker_restart()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        await using var client = await MqttTestKit.ConnectAsync(broker.ClientOptions("tls-restart", tls: true), _log);
        await broker.StopAsync();
        await client.WaitForAsync(MqttConnectionState.Disconnected);
        await broker.StartAsync();
        await client.WaitForAsync(MqttConnectionState.Connected, TimeSpan.FromSeconds(15));
        await client.PublishAsync("anpr/v1/test/tls", MqttTestKit.Bytes("again"));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_one_clear_log_line()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions
        {
            AllowAnonymous = false,
            Users = new Dictionary<string, string> { ["box"] = "right-password" },
        });
        var passwordFile = Path.Combine(broker.Directory, "box.password");
        File.WriteAllText(passwordFile, "wrong-password\n");
        MosquittoBroker.MakeOwnerOnly(passwordFile);
        var options = broker.ClientOptions("box-auth");
        options.UserName = "box";
        options.PasswordFile = passwordFile;

        await using var client = MqttTestKit.Start(options, _log);
        await client.WaitForAsync(MqttConnectionState.Refused);
        Assert.Contains("not authorised", client.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("Mqtt:PasswordFile", client.Status.Reason, StringComparison.Ordinal);

        // It keeps trying (a fixed password file is picked up on restart), but says so once.
        await Wait.UntilAsync(() => CountInLog(broker, "not authorised") >= 3, MqttTestKit.Timeout, "three refused attempts");
        var refusals = _log.Collector.GetSnapshot().Where(e => e.Level == LogLevel.Error).ToList();
        var refusal = Assert.Single(refusals);
        Assert.Contains("refused this box", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("Mqtt:UserName", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_from_another_ca_is_refused_with_a_clear_reason()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        var options = broker.ClientOptions("rogue", tls: true);
        options.CertFile = broker.Certificates!.RogueClientCertFile;
        options.KeyFile = broker.Certificates.RogueClientKeyFile;

        await using var client = MqttTestKit.Start(options, _log);
        await client.WaitForAsync(MqttConnectionState.Refused);
        Assert.Contains("client certificate", client.Status.Reason, StringComparison.Ordinal);
        // The status turns Refused just before the refusal is logged: wait for the line itself.
        await Wait.UntilAsync(
            () => _log.Collector.GetSnapshot().Any(e => e.Level == LogLevel.Error && e.Message.Contains("Mqtt:CertFile", StringComparison.Ordinal)),
            MqttTestKit.Timeout,
            "the refusal naming Mqtt:CertFile in the log");

        // The box keeps trying (a fixed certificate is picked up on restart), and names the problem once.
        await Wait.UntilAsync(() => _log.Collector.GetSnapshot().Count(e => e.Id.Id == 506) >= 3, MqttTestKit.Timeout, "two more attempts");
        Assert.Single(_log.Collector.GetSnapshot(), e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_broker_certificate_from_another_ca_is_refused_with_a_clear_reason()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        var options = broker.ClientOptions("distrustful", tls: true);
        options.CaFile = broker.Certificates!.RogueCaFile;

        await using var client = MqttTestKit.Start(options, _log);
        await client.WaitForAsync(MqttConnectionState.Refused);
        Assert.Contains("certificate verify failed", client.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("Mqtt:CaFile", client.Status.Reason, StringComparison.Ordinal);

        // The supervising loop keeps trying, and names the problem once.
        await Wait.UntilAsync(() => _log.Collector.GetSnapshot().Count(e => e.Id.Id == 506) >= 3, MqttTestKit.Timeout, "two more attempts");
        Assert.Single(_log.Collector.GetSnapshot(), e => e.Level >= LogLevel.Error);
    }

    private static int CountInLog(MosquittoBroker broker, string text) =>
        broker.Log.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));
}
