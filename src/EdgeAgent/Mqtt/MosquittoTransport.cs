using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// <see cref="MqttTransport"/> over libmosquitto (Debian <c>libmosquitto1</c>, 2.0.x), threaded: libmosquitto's own
/// network thread (mosquitto_loop_start) reads, writes, keeps alive and reconnects with back-off. Around it:
/// <list type="bullet">
/// <item>callbacks (MosquittoTransport.Callbacks.cs) that only copy data out and queue it, never wait, never throw;</item>
/// <item>a supervising task (MosquittoTransport.Supervisor.cs) that turns callback events into status and log lines,
/// and starts the network thread again when libmosquitto has let it end (TLS and protocol errors);</item>
/// <item><see cref="PublishTracker"/>, which pairs PUBACKs with publishes even when the PUBACK comes first.</item>
/// </list>
/// The transport owns the libmosquitto client and is disposed by whoever created it.
/// </summary>
internal sealed partial class MosquittoTransport : MqttTransport
{
    /// <summary>How long dispose waits for the network thread; past that it is left to the process exit.</summary>
    internal static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long dispose waits for the broker to acknowledge the status message announcing a clean stop.</summary>
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(1);

    private readonly MqttOptions _options;
    private readonly string _clientId;
    private readonly MqttWill? _will;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly MosquittoHandle _handle;
    private readonly GCHandle _self;
    private readonly PublishTracker _publishes = new();
    private readonly SubscriptionSet _subscriptions = new();
    private readonly Channel<NativeEvent> _events = Channel.CreateUnbounded<NativeEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<string> _libraryLines;
    private readonly CancellationTokenSource _stopping = new();
    private readonly bool _libraryDebug;
    private Task? _supervisor;
    private volatile MqttConnectionStatus _status;
    private volatile bool _connected;
    private long _connects;
    private int _started;
    private int _disposed;

    /// <param name="options">Validated options with a non-empty <see cref="MqttOptions.Host"/>.</param>
    /// <param name="clientId">The MQTT client id; see <see cref="MqttOptions.ClientIdFor"/>.</param>
    /// <param name="will">The last will (retained <c>offline</c> on the status topic), or null for none.</param>
    /// <param name="logger">Where the transport logs.</param>
    /// <param name="time">The clock for back-off and status times.</param>
    public MosquittoTransport(MqttOptions options, string clientId, MqttWill? will, ILogger logger, TimeProvider time)
        : base((options ?? throw new ArgumentNullException(nameof(options))).IncomingQueueCapacity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Host);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        _options = options;
        _clientId = clientId;
        _will = will;
        _logger = logger;
        _time = time;
        _libraryDebug = logger.IsEnabled(LogLevel.Debug);
        _libraryLines = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _status = new MqttConnectionStatus(MqttConnectionState.NotStarted, null, time.GetUtcNow(), 0, 0);
        Endpoint = options.Host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{options.Host}]:{options.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{options.Host}:{options.Port}");

        MosquittoLibrary.Acquire();
        _self = GCHandle.Alloc(this);
        try
        {
            _handle = MosquittoNative.New(clientId, options.CleanSession, GCHandle.ToIntPtr(_self));
            if (_handle.IsInvalid)
            {
                throw new MqttException($"mosquitto_new failed for client id '{clientId}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            Configure();
        }
        catch
        {
            _handle?.Dispose();
            _self.Free();
            MosquittoLibrary.Release();
            throw;
        }
    }

    /// <summary><c>host:port</c> of the broker, for log lines.</summary>
    public string Endpoint { get; }

    public override MqttConnectionStatus Status => _status with { MessagesDropped = MessagesDropped };

    public override int PendingAcknowledgements => _publishes.Pending;

    /// <summary>Acknowledgements that arrived before their publish call had returned (the race this transport is built for).</summary>
    internal long AcknowledgedBeforePublishReturned => _publishes.AcknowledgedBeforeRegistered;

    public override void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        Log.Connecting(_logger, Endpoint, _clientId, _options.UsesTls, _options.CleanSession, _options.ProtocolVersion, MosquittoLibrary.Version);
        SetStatus(MqttConnectionState.Connecting, null);
        _supervisor = Task.Run(() => SuperviseAsync(_stopping.Token));
    }

    public override int Publish(string topic, ReadOnlySpan<byte> payload, MqttQos qos, bool retain, long? token = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return PublishCore(topic, payload, qos, retain, new PendingPublish(token, null));
    }

    public override void Subscribe(string topicFilter, MqttQos qos)
    {
        ArgumentException.ThrowIfNullOrEmpty(topicFilter);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (MosquittoNative.SubscriptionTopicCheck(topicFilter) != MosquittoError.Success)
        {
            // Checked here, once: a filter kept in the set is sent again after every reconnect.
            throw new ArgumentException($"'{topicFilter}' is not a valid MQTT topic filter (MQTT 3.1.1 section 4.7).", nameof(topicFilter));
        }

        if (_subscriptions.Add(topicFilter, qos))
        {
            var rc = SendSubscribe(topicFilter, qos);
            if (rc is not (MosquittoError.Success or MosquittoError.NoConnection))
            {
                throw new MqttException($"Cannot subscribe to '{topicFilter}': {ErrorText(rc)}", rc);
            }
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

        if (await StopNetworkThreadAsync(StopTimeout, disconnectAtOnce: true) != StopOutcome.TimedOut)
        {
            // No callback can run any more: the client and the handle it called back through can go.
            _handle.Dispose();
            _self.Free();
        }
        else
        {
            // The thread may still call back: keep this object and the client alive (a leak, at process exit only).
            Log.StopTimedOut(_logger, StopTimeout);
        }

        DrainLibraryLines();
        Log.Stopped(_logger, Endpoint, _publishes.Pending);
        SetStatus(MqttConnectionState.Stopped, null);
        _stopping.Dispose();
        MosquittoLibrary.Release();
    }

    private void Configure()
    {
        Check(MosquittoNative.IntOption(_handle, MosquittoNative.OptionProtocolVersion, (int)_options.ProtocolVersion), "Mqtt:ProtocolVersion");
        if (!string.IsNullOrEmpty(_options.UserName))
        {
            Check(MosquittoNative.UserNamePasswordSet(_handle, _options.UserName, _options.ReadPassword()), "Mqtt:UserName");
        }

        if (_options.UsesTls)
        {
            ConfigureTls();
        }

        if (_will is { } will)
        {
            unsafe
            {
                fixed (byte* payload = will.Payload.Span)
                {
                    Check(MosquittoNative.WillSet(_handle, will.Topic, will.Payload.Length, payload, (int)will.Qos, will.Retain), $"the last will on '{will.Topic}'");
                }
            }
        }

        Check(
            MosquittoNative.ReconnectDelaySet(
                _handle, (uint)_options.ReconnectDelay.TotalSeconds, (uint)_options.MaxReconnectDelay.TotalSeconds, exponentialBackoff: true),
            "Mqtt:ReconnectDelay");
        SetCallbacks();
    }

    private unsafe void ConfigureTls()
    {
        // The files are only opened when connecting (on the network thread), but mosquitto_tls_set checks that they
        // can be read, so a wrong path fails here with the key named. The pass phrase callback answers "none"
        // instead of letting OpenSSL prompt on a terminal the service does not have.
        var caPath = string.IsNullOrEmpty(_options.CaFile) ? MqttOptions.SystemCaPath : null;
        Check(
            MosquittoNative.TlsSet(_handle, NullIfEmpty(_options.CaFile), caPath, NullIfEmpty(_options.CertFile), NullIfEmpty(_options.KeyFile), &NoPassphrase),
            "Mqtt:CaFile, Mqtt:CertFile or Mqtt:KeyFile (can the service user read them?)");
        Check(MosquittoNative.TlsOptionsSet(_handle, MosquittoNative.TlsVerifyPeer, null, null), "TLS options");
    }

    private unsafe int PublishCore(string topic, ReadOnlySpan<byte> payload, MqttQos qos, bool retain, PendingPublish pending)
    {
        int messageId = 0;
        int rc;
        fixed (byte* bytes = payload)
        {
            rc = MosquittoNative.Publish(_handle, &messageId, topic, payload.Length, bytes, (int)qos, retain);
        }

        // QoS 1 and 2: libmosquitto queues the message first and then tries to send what it can; with no
        // connection it answers MOSQ_ERR_NO_CONN, but the message stays queued and goes out after the reconnect
        // (lib/messages_mosq.c, message__release_to_inflight; resent by message__reconnect_reset).
        if (rc == MosquittoError.NoConnection && qos != MqttQos.AtMostOnce && messageId != 0)
        {
            rc = MosquittoError.Success;
        }

        if (rc != MosquittoError.Success)
        {
            if (messageId != 0)
            {
                _publishes.Forget(messageId);
            }

            var text = rc == MosquittoError.Errno ? Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()) : ErrorText(rc);
            throw new MqttException($"Cannot publish to '{topic}': {text}", rc);
        }

        // The PUBACK may already have been handled by the network thread; then it is ours to deliver.
        if (_publishes.Register(messageId, pending))
        {
            Acknowledged(messageId, pending);
        }

        return messageId;
    }

    private unsafe int SendSubscribe(string topicFilter, MqttQos qos)
    {
        int messageId = 0;
        var rc = MosquittoNative.Subscribe(_handle, &messageId, topicFilter, (int)qos);
        if (rc == MosquittoError.Success)
        {
            _subscriptions.Sent(topicFilter, messageId);
        }

        return rc;
    }

    private void Acknowledged(int messageId, PendingPublish pending)
    {
        if (pending.Token is { } token)
        {
            WriteAcknowledgement(new MqttAcknowledgement(messageId, token));
        }

        pending.Completion?.TrySetResult();
    }

    /// <summary>
    /// Publishes the will's message before a clean disconnect: the broker discards the will on DISCONNECT
    /// (MQTT 3.1.1 section 3.14.4), and the status topic should still say <c>offline</c> after a clean stop.
    /// </summary>
    private async Task SayGoodbyeAsync()
    {
        if (_will is not { } will || !_connected)
        {
            return;
        }

        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            PublishCore(will.Topic, will.Payload.Span, will.Qos, will.Retain, new PendingPublish(null, sent));
            await sent.Task.WaitAsync(GoodbyeTimeout, _time);
        }
        catch (Exception ex) when (ex is MqttException or TimeoutException)
        {
            // Offline after all, or the broker is slow: the retained status may say online until the box is back.
        }
    }

    private void SetStatus(MqttConnectionState state, string? reason)
    {
        var current = _status;
        if (current.State == state && current.Reason == reason)
        {
            return;
        }

        var next = new MqttConnectionStatus(state, reason, _time.GetUtcNow(), Interlocked.Read(ref _connects), MessagesDropped);
        _status = next;
        WriteStatusChange(next);
    }

    private static void Check(int rc, string what)
    {
        if (rc != MosquittoError.Success)
        {
            throw new MqttException($"MQTT setup failed for {what}: {ErrorText(rc)}", rc);
        }
    }

    private static unsafe string ErrorText(int rc) => MosquittoNative.Text(MosquittoNative.StrError(rc)).TrimEnd('.');

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
