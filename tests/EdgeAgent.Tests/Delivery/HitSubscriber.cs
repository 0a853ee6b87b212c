using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Events;
using EdgeAnpr.Shared.Topics;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>
/// A station-side MQTT client (a second, real MQTT client with a persistent session) that collects every
/// hit of site1 in arrival order, duplicates included, and checks each against the v1 schema.
/// </summary>
internal sealed class HitSubscriber : IAsyncDisposable
{
    private const string ProbeTopic = "anpr/v1/site1/probe/hit";

    private readonly MqttTransport _transport;
    private readonly ConcurrentQueue<HitEvent> _received = new();
    private readonly ConcurrentDictionary<string, bool> _probes = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private HitSubscriber(MqttTransport transport)
    {
        _transport = transport;
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Everything received so far, in arrival order, duplicates included.</summary>
    public IReadOnlyList<HitEvent> Received => [.. _received];

    /// <summary>Distinct event ids received.</summary>
    public int Distinct => _received.Select(h => h.EventId).Distinct().Count();

    /// <summary>Connects as <paramref name="clientId"/>, subscribes at QoS 1 and confirms the subscription with a probe through <paramref name="broker"/>.</summary>
    public static async Task<HitSubscriber> StartAsync(MosquittoBroker broker, ILogger logger, string clientId = "station")
    {
        var options = broker.ClientOptions(clientId);
        options.IncomingQueueCapacity = 65536;
        var subscriber = new HitSubscriber(await MqttTestKit.ConnectAsync(options, logger));
        subscriber._transport.Subscribe(AnprTopics.AllHits("site1"), MqttQos.AtLeastOnce);
        await using var prober = await MqttTestKit.ConnectAsync(broker.ClientOptions($"{clientId}-prober"), logger);
        var probe = $"probe-{Guid.NewGuid():N}";
        using var cancel = new CancellationTokenSource(MqttTestKit.Timeout);
        while (!subscriber._probes.ContainsKey(probe))
        {
            // Each probe waits for its PUBACK, so the broker has routed it when the check runs; the first ones may
            // come before the subscription did.
            Assert.False(cancel.IsCancellationRequested, "Timed out waiting for the station's subscription to take effect.");
            await prober.PublishAsync(ProbeTopic, Encoding.UTF8.GetBytes(probe), MqttQos.AtLeastOnce, retain: false, cancel.Token);
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancel.Token);
        }

        return subscriber;
    }

    public Task WaitForDistinctAsync(int count, TimeSpan timeout) =>
        Wait.UntilAsync(() => Distinct >= count, timeout, $"{count} distinct hits at the station (have {Distinct})");

    /// <summary>Fails the test if a received hit did not parse or did not validate against the schema.</summary>
    public void AssertAllValid() => Assert.True(_problems.IsEmpty, string.Join("\n", _problems));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (OperationCanceledException)
        {
        }

        await _transport.DisposeAsync();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        await foreach (var message in _transport.Messages.ReadAllAsync(_stop.Token))
        {
            if (message.Topic == ProbeTopic)
            {
                _probes[message.Text()] = true;
                continue;
            }

            var errors = HitSchema.Validator.Validate(message.Text());
            if (errors.Count > 0)
            {
                _problems.Enqueue($"{message.Topic}: {string.Join("; ", errors)}");
            }

            try
            {
                _received.Enqueue(HitPayload.Deserialize(message.Payload.Span));
            }
            catch (JsonException ex)
            {
                _problems.Enqueue($"{message.Topic}: {ex.Message}");
            }
        }
    }
}
