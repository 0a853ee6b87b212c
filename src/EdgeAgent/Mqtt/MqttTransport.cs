using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The seam between the agent and an MQTT client library: connect, publish, subscribe, and three streams out of
/// it (connection status changes, acknowledgements of tracked publishes, received messages). The product uses
/// <see cref="MosquittoTransport"/> (libmosquitto); a machine whose package source has MQTTnet could put it
/// behind the same class.
/// <para>
/// The streams are channels written without ever waiting, so an implementation can feed them from its network
/// thread. Received messages are bounded (a flood drops the oldest, counted in <see cref="MessagesDropped"/>);
/// acknowledgements are not, and need not be: there is one per publish made with a token, which the caller
/// chose to make. Disposing completes all three. The owner disposes the transport.
/// </para>
/// </summary>
public abstract class MqttTransport : IAsyncDisposable
{
    /// <summary>Status changes kept for a slow reader; older ones are dropped (<see cref="Status"/> is always current).</summary>
    private const int StatusChangesCapacity = 16;

    private readonly Channel<MqttMessage> _messages;
    private readonly Channel<MqttAcknowledgement> _acknowledgements;
    private readonly Channel<MqttConnectionStatus> _statusChanges;
    private long _messagesDropped;

    protected MqttTransport(int incomingQueueCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(incomingQueueCapacity);
        IncomingQueueCapacity = incomingQueueCapacity;
        _messages = Channel.CreateBounded<MqttMessage>(
            new BoundedChannelOptions(incomingQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
            _ => Interlocked.Increment(ref _messagesDropped));
        _acknowledgements = Channel.CreateUnbounded<MqttAcknowledgement>(new UnboundedChannelOptions { SingleWriter = false });
        _statusChanges = Channel.CreateBounded<MqttConnectionStatus>(
            new BoundedChannelOptions(StatusChangesCapacity) { FullMode = BoundedChannelFullMode.DropOldest });
    }

    /// <summary>The connection now: state, why it is not up, since when, counters.</summary>
    public abstract MqttConnectionStatus Status { get; }

    public bool IsConnected => Status.IsConnected;

    /// <summary>
    /// Every change of <see cref="Status"/>'s state or reason, for one reader: the owner of the connection
    /// (<see cref="MqttConnectionService"/>, which publishes retained <c>online</c> when one says connected). A
    /// channel hands each item to one reader only; everyone else reads <see cref="Status"/>, whose
    /// <see cref="MqttConnectionStatus.Connects"/> counts reconnects.
    /// </summary>
    public ChannelReader<MqttConnectionStatus> StatusChanges => _statusChanges.Reader;

    /// <summary>One entry per acknowledged publish that was given a token (see <see cref="Publish"/>).</summary>
    public ChannelReader<MqttAcknowledgement> Acknowledgements => _acknowledgements.Reader;

    /// <summary>Messages received on the subscriptions, payloads copied. Bounded: see <see cref="MessagesDropped"/>.</summary>
    public ChannelReader<MqttMessage> Messages => _messages.Reader;

    /// <summary>The capacity of <see cref="Messages"/>.</summary>
    public int IncomingQueueCapacity { get; }

    /// <summary>Received messages dropped because <see cref="Messages"/> was full.</summary>
    public long MessagesDropped => Interlocked.Read(ref _messagesDropped);

    /// <summary>Publishes sent and not acknowledged yet (queued while offline included).</summary>
    public abstract int PendingAcknowledgements { get; }

    /// <summary>
    /// Starts connecting in the background and keeps the connection up (reconnecting with back-off) until disposed.
    /// Returns at once; watch <see cref="StatusChanges"/>. Calling it again does nothing.
    /// </summary>
    public abstract void Start();

    /// <summary>
    /// Publishes <paramref name="payload"/> (copied before returning) and returns its MQTT message id. QoS 1 and 2
    /// messages are queued in memory while offline and sent on reconnect; a QoS 0 publish while offline throws
    /// <see cref="MqttException"/> with <see cref="MqttException.IsNotConnected"/>.
    /// <para>
    /// With a <paramref name="token"/> (the caller's own id for the message, such as its outbox row), exactly one
    /// <see cref="MqttAcknowledgement"/> carrying that token is written to <see cref="Acknowledgements"/> when the
    /// broker acknowledges it. The pairing is done inside the transport, so an acknowledgement that arrives before
    /// this method returns is not missed, and the caller needs no lock of its own. Without a token the publish is
    /// fire-and-forget.
    /// </para>
    /// </summary>
    public abstract int Publish(string topic, ReadOnlySpan<byte> payload, MqttQos qos, bool retain, long? token = null);

    /// <summary>
    /// Subscribes to <paramref name="topicFilter"/> now if connected, and again after any connect on which the
    /// broker did not keep the session. Messages arrive on <see cref="Messages"/>.
    /// </summary>
    public abstract void Subscribe(string topicFilter, MqttQos qos);

    /// <summary>The real transport: libmosquitto. See <see cref="MosquittoTransport"/> for its parameters.</summary>
    public static MqttTransport Create(MqttOptions options, string clientId, MqttWill? will, ILogger logger, TimeProvider time) =>
        new MosquittoTransport(options, clientId, will, logger, time);

    /// <summary>Disconnects cleanly, stops the network thread and completes the three channels.</summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore();
        _messages.Writer.TryComplete();
        _acknowledgements.Writer.TryComplete();
        _statusChanges.Writer.TryComplete();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask DisposeAsyncCore();

    /// <summary>Queues a received message; never waits. When the queue is full the oldest waiting message is dropped and counted.</summary>
    protected void WriteMessage(MqttMessage message) => _messages.Writer.TryWrite(message);

    /// <summary>Queues an acknowledgement; never waits, never drops.</summary>
    protected void WriteAcknowledgement(MqttAcknowledgement acknowledgement) => _acknowledgements.Writer.TryWrite(acknowledgement);

    /// <summary>Queues a status change; never waits.</summary>
    protected void WriteStatusChange(MqttConnectionStatus status) => _statusChanges.Writer.TryWrite(status);
}
