using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The seam between the agent and the MQTT client library: connect (and stay connected), publish, subscribe, and two
/// streams out of it (connection status changes, received messages). The product uses <see cref="MqttNetTransport"/>
/// (MQTTnet); tests use the same class against a real broker.
/// <para>
/// <see cref="PublishAsync"/> completes when the broker has acknowledged the message (PUBACK for QoS 1), so the caller
/// pairs a publish with its acknowledgement by awaiting it. Nothing is queued here: a publish while offline fails at
/// once, and one whose connection drops before its PUBACK fails too. Whoever needs a message delivered keeps it until
/// the task completes and sends it again after a reconnect (the outbox does).
/// </para>
/// <para>
/// The streams are channels written without ever waiting. Received messages are bounded (a flood drops the oldest,
/// counted in <see cref="MessagesDropped"/>). Disposing completes both. The owner disposes the transport.
/// </para>
/// </summary>
public abstract class MqttTransport : IAsyncDisposable
{
    /// <summary>Status changes kept for a slow reader; older ones are dropped (<see cref="Status"/> is always current).</summary>
    private const int StatusChangesCapacity = 16;

    private readonly Channel<MqttMessage> _messages;
    private readonly Channel<MqttConnectionStatus> _statusChanges;
    private readonly Lock _statusGate = new();
    private readonly TimeProvider _time;
    private MqttConnectionStatus _status;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _messagesDropped;

    /// <param name="endpoint"><c>host:port</c> of the broker, for messages.</param>
    /// <param name="incomingQueueCapacity">The capacity of <see cref="Messages"/>.</param>
    /// <param name="time">The clock status times are read from.</param>
    protected MqttTransport(string endpoint, int incomingQueueCapacity, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(incomingQueueCapacity);
        Endpoint = endpoint;
        IncomingQueueCapacity = incomingQueueCapacity;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _status = new MqttConnectionStatus(MqttConnectionState.NotStarted, null, time.GetUtcNow(), 0, 0);
        _messages = Channel.CreateBounded<MqttMessage>(
            new BoundedChannelOptions(incomingQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
            _ =>
            {
                Interlocked.Increment(ref _messagesDropped);
                OnMessageDropped();
            });
        _statusChanges = Channel.CreateBounded<MqttConnectionStatus>(
            new BoundedChannelOptions(StatusChangesCapacity) { FullMode = BoundedChannelFullMode.DropOldest });
    }

    /// <summary><c>host:port</c> of the broker, for log lines and messages.</summary>
    public string Endpoint { get; }

    /// <summary>The connection now: state, why it is not up, since when, counters.</summary>
    public MqttConnectionStatus Status
    {
        get
        {
            lock (_statusGate)
            {
                return _status with { MessagesDropped = MessagesDropped };
            }
        }
    }

    public bool IsConnected => Status.IsConnected;

    /// <summary>
    /// Every change of <see cref="Status"/>'s state or reason, for one reader: the owner of the connection
    /// (<see cref="MqttConnectionService"/>, which publishes retained <c>online</c> when one says connected). A
    /// channel hands each item to one reader only; everyone else reads <see cref="Status"/> or waits with
    /// <see cref="WaitUntilConnectedAsync"/>; <see cref="MqttConnectionStatus.Connects"/> counts connections.
    /// </summary>
    public ChannelReader<MqttConnectionStatus> StatusChanges => _statusChanges.Reader;

    /// <summary>Messages received on the subscriptions, payloads copied. Bounded: see <see cref="MessagesDropped"/>.</summary>
    public ChannelReader<MqttMessage> Messages => _messages.Reader;

    /// <summary>The capacity of <see cref="Messages"/>.</summary>
    public int IncomingQueueCapacity { get; }

    /// <summary>Received messages dropped because <see cref="Messages"/> was full.</summary>
    public long MessagesDropped => Interlocked.Read(ref _messagesDropped);

    /// <summary>Publishes under way: sent, or being sent, and not acknowledged yet.</summary>
    public abstract int PendingAcknowledgements { get; }

    /// <summary>
    /// Starts connecting in the background and keeps the connection up (reconnecting with back-off) until disposed.
    /// Returns at once; watch <see cref="StatusChanges"/>. Calling it again does nothing.
    /// </summary>
    public abstract void Start();

    /// <summary>
    /// Publishes <paramref name="payload"/> and completes when the broker has acknowledged it (QoS 1: its PUBACK; QoS 0:
    /// once written to the connection). The payload must not change until then. Throws <see cref="MqttException"/>
    /// when there is no connection (<see cref="MqttException.IsNotConnected"/>), when the connection drops before the
    /// acknowledgement, or when the broker refuses the message; <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> ends the wait, which is how a caller gives each publish its own deadline
    /// (the client library's own timeout does not bound the wait for a PUBACK). Nothing is resent by the transport.
    /// </summary>
    public abstract Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain, CancellationToken cancellationToken);

    /// <summary>
    /// Subscribes to <paramref name="topicFilter"/> now if connected, and again after any connect on which the
    /// broker did not keep the session. Messages arrive on <see cref="Messages"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Not a valid MQTT topic filter.</exception>
    public abstract void Subscribe(string topicFilter, MqttQos qos);

    /// <summary>Completes when the connection is up (at once if it is now); only cancellation ends the wait otherwise.</summary>
    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        Task connected;
        lock (_statusGate)
        {
            connected = _connected.Task;
        }

        return connected.WaitAsync(cancellationToken);
    }

    /// <summary>The real transport: MQTTnet. See <see cref="MqttNetTransport"/> for its parameters.</summary>
    public static MqttTransport Create(MqttOptions options, string clientId, MqttWill? will, ILogger logger, TimeProvider time) =>
        new MqttNetTransport(options, clientId, will, logger, time);

    /// <summary>Disconnects cleanly, stops the supervising loop and completes the two channels.</summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore();
        _messages.Writer.TryComplete();
        _statusChanges.Writer.TryComplete();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask DisposeAsyncCore();

    /// <summary>Queues a received message; never waits. When the queue is full the oldest waiting message is dropped and counted.</summary>
    protected void WriteMessage(MqttMessage message) => _messages.Writer.TryWrite(message);

    /// <summary>Called (on the receiving thread, without waiting) each time a received message was dropped.</summary>
    protected virtual void OnMessageDropped()
    {
    }

    /// <summary>The state and reason now, without the counters.</summary>
    protected (MqttConnectionState State, string? Reason) CurrentState
    {
        get
        {
            lock (_statusGate)
            {
                return (_status.State, _status.Reason);
            }
        }
    }

    /// <summary>Records a new state (and the connection count); a change is queued on <see cref="StatusChanges"/>.</summary>
    protected void SetStatus(MqttConnectionState state, string? reason, long connects)
    {
        MqttConnectionStatus next;
        lock (_statusGate)
        {
            if (_status.State == state && _status.Reason == reason && _status.Connects == connects)
            {
                return;
            }

            next = new MqttConnectionStatus(state, reason, _time.GetUtcNow(), connects, MessagesDropped);
            var wasConnected = _status.IsConnected;
            _status = next;
            if (next.IsConnected)
            {
                _connected.TrySetResult();
            }
            else if (wasConnected)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        _statusChanges.Writer.TryWrite(next);
    }
}
