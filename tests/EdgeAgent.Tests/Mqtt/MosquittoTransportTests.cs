using System.Collections.Concurrent;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Mqtt;

/// <summary>The libmosquitto transport against a real mosquitto broker on 127.0.0.1.</summary>
public sealed class MosquittoTransportTests(ITestOutputHelper output)
{
    private readonly TestLogger<MosquittoTransport> _log = new(output);

    [Fact]
    public async Task Every_qos1_publish_is_acknowledged_exactly_once_with_its_token()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var client = await MqttTestKit.ConnectAsync(broker.ClientOptions("acks"), _log);

        const int Publishers = 4;
        const int PerPublisher = 500;
        var messageIds = new ConcurrentDictionary<long, int>();
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < PerPublisher; i++)
            {
                long token = (p * PerPublisher) + i;
                messageIds[token] = client.Publish("anpr/v1/test/acks", MqttTestKit.Bytes($"hit {token}"), MqttQos.AtLeastOnce, retain: false, token);
            }
        })));

        var acknowledged = new Dictionary<long, int>();
        using var cancel = new CancellationTokenSource(MqttTestKit.Timeout);
        while (acknowledged.Count < Publishers * PerPublisher)
        {
            var ack = await client.Acknowledgements.ReadAsync(cancel.Token);
            Assert.True(acknowledged.TryAdd(ack.Token, ack.MessageId), $"Token {ack.Token} was acknowledged twice.");
            Assert.Equal(messageIds[ack.Token], ack.MessageId);
        }

        await Task.Delay(200);
        Assert.False(client.Acknowledgements.TryRead(out var extra), $"An extra acknowledgement arrived: {extra}");
        Assert.Equal(0, client.PendingAcknowledgements);
        output.WriteLine($"{client.AcknowledgedBeforePublishReturned} acknowledgement(s) arrived before their publish call returned");
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task Received_messages_carry_a_copy_of_the_payload_and_the_retained_flag()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var publisher = await MqttTestKit.ConnectAsync(broker.ClientOptions("pub"), _log);
        await using var subscriber = await MqttTestKit.ConnectAsync(broker.ClientOptions("sub"), _log);
        publisher.Publish("anpr/v1/site1/watchlist/snapshot", MqttTestKit.Bytes("snapshot-1"), MqttQos.AtLeastOnce, retain: true, token: 1);
        Assert.Equal(1, (await publisher.Acknowledgements.ReadAsync()).Token);

        subscriber.Subscribe("anpr/v1/site1/watchlist/#", MqttQos.AtLeastOnce);
        var retained = await subscriber.ReceiveAsync();
        Assert.Equal("anpr/v1/site1/watchlist/snapshot", retained.Topic);
        Assert.Equal("snapshot-1", retained.Text());
        Assert.True(retained.Retained);
        Assert.Equal(MqttQos.AtLeastOnce, retained.Qos);

        var binary = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        publisher.Publish("anpr/v1/site1/watchlist/delta", binary, MqttQos.AtLeastOnce, retain: false);
        var live = await subscriber.ReceiveAsync();
        Assert.Equal("anpr/v1/site1/watchlist/delta", live.Topic);
        Assert.False(live.Retained);
        Assert.Equal(binary, live.Payload.ToArray());

        var empty = Array.Empty<byte>();
        publisher.Publish("anpr/v1/site1/watchlist/delta", empty, MqttQos.AtMostOnce, retain: false);
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
            publisher.Publish("flood", MqttTestKit.Bytes($"{i}"), MqttQos.AtLeastOnce, retain: false, token: i);
        }

        for (var acks = 0; acks < 100; acks++)
        {
            await publisher.Acknowledgements.ReadAsync();
        }

        await Wait.UntilAsync(() => subscriber.MessagesDropped == 92, MqttTestKit.Timeout, "92 dropped messages");
        Assert.Equal(8, subscriber.Messages.Count);
        Assert.Equal("92", (await subscriber.ReceiveAsync()).Text());
        await Wait.UntilAsync(() => _log.Entries.Any(e => e.EventId.Id == 508), MqttTestKit.Timeout, "the drops to be logged");
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
        box.Publish(status, MqttTestKit.Bytes(MqttWill.OnlinePayload), MqttQos.AtLeastOnce, retain: true);
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
        Assert.Contains(_log.Entries, e => e.EventId.Id == 502 && e.Message.Contains($"127.0.0.1:{relay.Port}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clean_stop_leaves_offline_on_the_status_topic()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var status = Shared.Topics.AnprTopics.Status("site1", "cam2");
        var box = await MqttTestKit.ConnectAsync(broker.ClientOptions("box"), _log, MqttWill.Offline(status));
        box.Publish(status, MqttTestKit.Bytes(MqttWill.OnlinePayload), MqttQos.AtLeastOnce, retain: true);
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
        client.Publish("anpr/v1/test/early", MqttTestKit.Bytes("hello"), MqttQos.AtLeastOnce, retain: false, token: 7);
        Assert.Equal(7, (await client.Acknowledgements.ReadAsync()).Token);
        Assert.Single(_log.Entries, e => e.EventId.Id == 503);
    }

    [Fact]
    public async Task After_a_broker_restart_the_client_reconnects_and_delivers_what_it_queued()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var client = await MqttTestKit.ConnectAsync(broker.ClientOptions("restart"), _log);
        client.Publish("anpr/v1/test/restart", MqttTestKit.Bytes("before"), MqttQos.AtLeastOnce, retain: false, token: 1);
        Assert.Equal(1, (await client.Acknowledgements.ReadAsync()).Token);

        await broker.StopAsync();
        await client.WaitForAsync(MqttConnectionState.Disconnected);
        client.Publish("anpr/v1/test/restart", MqttTestKit.Bytes("during"), MqttQos.AtLeastOnce, retain: false, token: 2);
        Assert.Equal(1, client.PendingAcknowledgements);

        await broker.StartAsync();
        await client.WaitForAsync(MqttConnectionState.Connected);
        using var cancel = new CancellationTokenSource(MqttTestKit.Timeout);
        Assert.Equal(2, (await client.Acknowledgements.ReadAsync(cancel.Token)).Token);
        client.Publish("anpr/v1/test/restart", MqttTestKit.Bytes("after"), MqttQos.AtLeastOnce, retain: false, token: 3);
        Assert.Equal(3, (await client.Acknowledgements.ReadAsync(cancel.Token)).Token);
        Assert.Equal(2, client.Status.Connects);
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

        publisher.Publish(topic, MqttTestKit.Bytes("delta-42"), MqttQos.AtLeastOnce, retain: false, token: 42);
        Assert.Equal(42, (await publisher.Acknowledgements.ReadAsync()).Token);
        await broker.StopAsync();
        await broker.StartAsync();

        // A new process: it has not subscribed; the broker kept the subscription and the message.
        await using var again = MqttTestKit.Start(boxOptions, _log);
        var delivered = await again.ReceiveAsync(m => m.Topic == topic && !m.Text().StartsWith("probe-", StringComparison.Ordinal));
        Assert.Equal("delta-42", delivered.Text());
        await Wait.UntilAsync(
            () => _log.Entries.Any(e => e.EventId.Id == 501 && e.Message.Contains("session resumed: True", StringComparison.Ordinal)),
            MqttTestKit.Timeout,
            "the resumed session to be logged");
    }

    [Fact]
    public async Task Tls_with_client_certificates_connects_and_publishes()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        await using var client = await MqttTestKit.ConnectAsync(broker.ClientOptions("tls-box", tls: true), _log);
        client.Publish("anpr/v1/test/tls", MqttTestKit.Bytes("secret"), MqttQos.AtLeastOnce, retain: false, token: 5);
        Assert.Equal(5, (await client.Acknowledgements.ReadAsync()).Token);
        Assert.Contains("New client connected", broker.Log, StringComparison.Ordinal);
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task A_tls_client_reconnects_after_a_broker_restart()
    {
        // libmosquitto 2.0 ends its network thread when a TLS connection closes (errno EPROTO); the supervisor restarts it.
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        await using var client = await MqttTestKit.ConnectAsync(broker.ClientOptions("tls-restart", tls: true), _log);
        await broker.StopAsync();
        await client.WaitForAsync(MqttConnectionState.Disconnected);
        await broker.StartAsync();
        await client.WaitForAsync(MqttConnectionState.Connected, TimeSpan.FromSeconds(15));
        client.Publish("anpr/v1/test/tls", MqttTestKit.Bytes("again"), MqttQos.AtLeastOnce, retain: false, token: 6);
        Assert.Equal(6, (await client.Acknowledgements.ReadAsync()).Token);
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
        var refusals = _log.Entries.Where(e => e.Level == LogLevel.Error).ToList();
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
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Mqtt:CertFile", StringComparison.Ordinal));

        // Such a failure may end libmosquitto's network thread (it does when errno is still EPROTO); either way
        // the box keeps trying, and names the problem once.
        await Wait.UntilAsync(
            () => _log.Entries.Count(e => e.Message.Contains("sending CONNECT", StringComparison.Ordinal)) >= 3,
            MqttTestKit.Timeout,
            "two more attempts");
        Assert.Single(_log.Entries, e => e.Level >= LogLevel.Error);
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

        // A failed handshake ends libmosquitto's network thread without a word; the supervisor starts it again.
        await Wait.UntilAsync(() => _log.Entries.Count(e => e.EventId.Id == 506) >= 2, MqttTestKit.Timeout, "the network thread to be started again");
        Assert.Single(_log.Entries, e => e.Level >= LogLevel.Error);
    }

    private static int CountInLog(MosquittoBroker broker, string text) =>
        broker.Log.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));
}
