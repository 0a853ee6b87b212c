using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// <see cref="MqttTransport"/> over MQTTnet's <see cref="IMqttClient"/>. MQTTnet 5 has no managed client, so the
/// connection is kept up by one supervising loop of ours (MqttNetTransport.Connecting.cs): connect, resubscribe, wait
/// for the connection to drop, back off (Polly), connect again. MQTTnet's event handlers only copy what they are given
/// and signal the loop; nothing reconnects from inside them. The transport owns the client and is disposed by whoever
/// created it.
/// </summary>
internal sealed partial class MqttNetTransport : MqttTransport
{
    /// <summary>How long dispose waits for the broker to acknowledge the status message announcing a clean stop.</summary>
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long dispose waits for the DISCONNECT to be written.</summary>
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(2);

    private readonly MqttOptions _options;
    private readonly string _clientId;
    private readonly MqttWill? _will;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly BrokerCertificateCheck? _certificateCheck;
    private readonly SubscriptionSet _subscriptions = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private Task? _supervisor;
    private int _pending;
    private int _started;
    private int _disposed;

    /// <param name="options">Validated options with a non-empty <see cref="MqttOptions.Host"/>.</param>
    /// <param name="clientId">The MQTT client id; see <see cref="MqttOptions.ClientIdFor"/>.</param>
    /// <param name="will">The last will (retained <c>offline</c> on the status topic), or null for none.</param>
    /// <param name="logger">Where the transport logs.</param>
    /// <param name="time">The clock for back-off and status times.</param>
    /// <exception cref="MqttException">A file named in the options (CA, certificate, key, password) cannot be used.</exception>
    public MqttNetTransport(MqttOptions options, string clientId, MqttWill? will, ILogger logger, TimeProvider time)
        : base(EndpointOf(options), options.IncomingQueueCapacity, time)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        _options = options;
        _clientId = clientId;
        _will = will;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time;
        _certificateCheck = options.UsesTls ? new BrokerCertificateCheck(MqttClientSettings.LoadAuthorities(options)) : null;
        _clientOptions = MqttClientSettings.Build(options, clientId, will, _certificateCheck);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>The MQTTnet version this process runs with, e.g. <c>5.2.0.1603</c> (for the log and <c>doctor</c>).</summary>
    public static string LibraryVersion { get; } = ReadLibraryVersion();

    public override int PendingAcknowledgements => Volatile.Read(ref _pending);

    public override void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        Log.Connecting(_logger, Endpoint, _clientId, _options.UsesTls, _options.CleanSession, _options.ProtocolVersion, LibraryVersion);
        SetStatus(MqttConnectionState.Connecting, null, 0);
        _supervisor = Task.Run(() => SuperviseAsync(_stopping.Token));
    }

    public override Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return PublishCoreAsync(topic, payload, qos, retain, cancellationToken);
    }

    public override void Subscribe(string topicFilter, MqttQos qos)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!TopicFilter.IsValid(topicFilter))
        {
            // Checked here, once: a filter kept in the set is sent again after every reconnect.
            throw new ArgumentException($"'{topicFilter}' is not a valid MQTT topic filter (MQTT 3.1.1 section 4.7).", nameof(topicFilter));
        }

        _subscriptions.Add(topicFilter, qos);
        Wake();
    }

    private async Task PublishCoreAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            throw new MqttException($"Cannot publish to '{topic}': not connected to {Endpoint}", notConnected: true);
        }

        var message = new MqttApplicationMessage
        {
            Topic = topic,
            Payload = new ReadOnlySequence<byte>(payload),
            QualityOfServiceLevel = (MqttQualityOfServiceLevel)qos,
            Retain = retain,
        };
        Interlocked.Increment(ref _pending);
        try
        {
            var result = await _client.PublishAsync(message, cancellationToken);
            if (!result.IsSuccess)
            {
                throw new MqttException($"{Endpoint} refused the message on '{topic}': {result.ReasonCode}{(string.IsNullOrEmpty(result.ReasonString) ? "" : $" ({result.ReasonString})")}");
            }
        }
        catch (Exception ex) when (ex is MqttCommunicationException or MqttClientNotConnectedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new MqttException($"Cannot publish to '{topic}': the connection to {Endpoint} was lost before the broker acknowledged it", notConnected: true, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await SayGoodbyeAsync();
        await _stopping.CancelAsync();
        if (_supervisor is not null)
        {
            await _supervisor;
        }

        if (_client.IsConnected)
        {
            using var deadline = new CancellationTokenSource(DisconnectTimeout, _time);
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.NormalDisconnection }, deadline.Token);
            }
            catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException)
            {
                // The connection went on its own; the broker publishes the will.
            }
        }

        Log.Stopped(_logger, Endpoint, PendingAcknowledgements);
        SetStatus(MqttConnectionState.Stopped, null, Interlocked.Read(ref _connects));
        _client.ApplicationMessageReceivedAsync -= OnMessageReceivedAsync;
        _client.DisconnectedAsync -= OnDisconnectedAsync;
        _client.Dispose();
        _stopping.Dispose();
    }

    protected override void OnMessageDropped() => Wake();

    /// <summary>
    /// Publishes the will's message before a clean disconnect: the broker discards the will on DISCONNECT
    /// (MQTT 3.1.1 section 3.14.4), and the status topic should still say <c>offline</c> after a clean stop.
    /// </summary>
    private async Task SayGoodbyeAsync()
    {
        if (_will is not { } will || !_client.IsConnected)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(GoodbyeTimeout, _time);
        try
        {
            await PublishCoreAsync(will.Topic, will.Payload, will.Qos, will.Retain, deadline.Token);
        }
        catch (Exception ex) when (ex is MqttException or OperationCanceledException)
        {
            // Offline after all, or the broker is slow: the retained status may say online until the box is back.
        }
    }

    /// <summary>MQTTnet's receive handler: copies the message out (its buffers are reused) and returns at once.</summary>
    private Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        WriteMessage(new MqttMessage(message.Topic, message.Payload.ToArray(), (MqttQos)message.QualityOfServiceLevel, message.Retain));
        return Task.CompletedTask;
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private static string EndpointOf(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Host);
        return options.Host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{options.Host}]:{options.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{options.Host}:{options.Port}");
    }

    private static string ReadLibraryVersion()
    {
        var assembly = typeof(IMqttClient).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "unknown";
    }
}
