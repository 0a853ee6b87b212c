using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>
/// A real state directory with the outbox, a camera identity, and delivery services built on them, started and
/// stopped in the host's order (delivery stops before its transport is disposed). Disposing stops and closes
/// everything and deletes the directory.
/// </summary>
internal sealed class DeliveryRig : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly List<(DeliveryService Service, MqttTransport? Transport)> _running = [];
    private Outbox? _outbox;

    public DeliveryRig(ITestOutputHelper output, TimeProvider? time = null, OutboxOptions? outbox = null, DeliveryOptions? options = null)
    {
        _output = output;
        Time = time ?? TimeProvider.System;
        OutboxOptions = outbox ?? new OutboxOptions();
        Options = options ?? new DeliveryOptions();
        Directory = Path.Combine(Path.GetTempPath(), $"edge-anpr-delivery-{Guid.NewGuid():N}");
        Factory = new HitEventFactory(Camera, Time);
        StorageLog = TestLogs.For<Outbox>(output);
        DeliveryLog = TestLogs.For<DeliveryService>(output);
        TransportLog = TestLogs.For<MqttTransport>(output);
    }

    public string Directory { get; }

    public TimeProvider Time { get; }

    public OutboxOptions OutboxOptions { get; }

    public DeliveryOptions Options { get; }

    public CameraIdentity Camera { get; } = new("site1", "cam1");

    public HitEventFactory Factory { get; }

    public FakeLogger<Outbox> StorageLog { get; }

    public FakeLogger<DeliveryService> DeliveryLog { get; }

    public FakeLogger<MqttTransport> TransportLog { get; }

    /// <summary>The outbox, opened on first use (the database created or migrated then).</summary>
    public Outbox Outbox => _outbox ??= new Outbox(AgentDatabase.Open(Directory, Time, StorageLog), OutboxOptions, Time, StorageLog);

    /// <summary>The box's MQTT client: client id <c>box</c>, will on the status topic, started.</summary>
    public MqttTransport BoxTransport(MosquittoBroker broker, int? port = null)
    {
        var options = broker.ClientOptions("box");
        options.Port = port ?? options.Port;
        var transport = MqttTransport.Create(options, "box", MqttWill.Offline("anpr/v1/site1/cam1/status"), TransportLog, TimeProvider.System);
        transport.Start();
        return transport;
    }

    /// <summary>A delivery service on the outbox and <paramref name="transport"/> (which it then owns), not started.</summary>
    public DeliveryService Create(MqttTransport? transport)
    {
        var service = new DeliveryService(Outbox, Factory, Options, transport, Time, DeliveryLog);
        _running.Add((service, transport));
        return service;
    }

    /// <summary>A delivery service, started.</summary>
    public async Task<DeliveryService> StartAsync(MqttTransport? transport)
    {
        var service = Create(transport);
        await service.StartAsync(CancellationToken.None);
        return service;
    }

    /// <summary>Stops the service as the host would (then its transport), as at a shutdown or a crash after commit.</summary>
    public async Task StopAsync(DeliveryService service)
    {
        var entry = _running.Single(r => r.Service == service);
        _running.Remove(entry);
        await service.StopAsync(CancellationToken.None);
        service.Dispose();
        if (entry.Transport is not null)
        {
            await entry.Transport.DisposeAsync();
        }
    }

    /// <summary>Closes the outbox and opens it again from the file, as a restarted process would.</summary>
    public Outbox ReopenOutbox()
    {
        _outbox?.Dispose();
        _outbox = null;
        return Outbox;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (service, _) in _running.ToArray())
        {
            await StopAsync(service);
        }

        _outbox?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException ex)
        {
            _output.WriteLine($"could not delete {Directory}: {ex.Message}");
        }
    }
}
