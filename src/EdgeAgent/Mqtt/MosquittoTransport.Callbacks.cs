using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// libmosquitto's callbacks. They run on its network thread (the log callback on any thread that calls into
/// libmosquitto) while it holds its callback mutex, so each one only copies what it was given, updates in-memory
/// state under locks held for a few lines, and queues the rest for the supervising task: no logging, no waiting,
/// no reconnecting. An exception escaping an <see cref="UnmanagedCallersOnlyAttribute"/> method ends the process,
/// so each is caught and queued for the log.
/// </summary>
internal sealed partial class MosquittoTransport
{
    /// <summary>MQTT 3.1.1 section 3.9.3: a SUBACK return code of 0x80 is a refusal (MQTT 5: any code from 0x80).</summary>
    private const int SubackFailure = 0x80;

    /// <summary>CONNACK flags bit 0: the broker resumed this client's session (MQTT 3.1.1 section 3.2.2.2).</summary>
    private const int SessionPresentFlag = 0x01;

    private string? _lastLibraryError;

    private unsafe void SetCallbacks()
    {
        MosquittoNative.ConnectWithFlagsCallbackSet(_handle, &OnConnect);
        MosquittoNative.DisconnectCallbackSet(_handle, &OnDisconnect);
        MosquittoNative.PublishCallbackSet(_handle, &OnPublish);
        MosquittoNative.MessageCallbackSet(_handle, &OnMessage);
        MosquittoNative.SubscribeCallbackSet(_handle, &OnSubscribe);
        MosquittoNative.LogCallbackSet(_handle, &OnLog);
    }

    private static MosquittoTransport? From(nint userData) =>
        userData == 0 ? null : GCHandle.FromIntPtr(userData).Target as MosquittoTransport;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnConnect(nint mosq, nint userData, int rc, int flags)
    {
        MosquittoTransport? transport = null;
        try
        {
            transport = From(userData);
            transport?.Connected(rc, (flags & SessionPresentFlag) != 0);
        }
        catch (Exception ex)
        {
            transport?.CallbackFailed(nameof(OnConnect), ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDisconnect(nint mosq, nint userData, int rc)
    {
        MosquittoTransport? transport = null;
        try
        {
            transport = From(userData);
            transport?.Disconnected(rc);
        }
        catch (Exception ex)
        {
            transport?.CallbackFailed(nameof(OnDisconnect), ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnPublish(nint mosq, nint userData, int messageId)
    {
        MosquittoTransport? transport = null;
        try
        {
            transport = From(userData);
            transport?.PublishAcknowledged(messageId);
        }
        catch (Exception ex)
        {
            transport?.CallbackFailed(nameof(OnPublish), ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnMessage(nint mosq, nint userData, MosquittoMessage* message)
    {
        MosquittoTransport? transport = null;
        try
        {
            transport = From(userData);
            transport?.Received(message);
        }
        catch (Exception ex)
        {
            transport?.CallbackFailed(nameof(OnMessage), ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnSubscribe(nint mosq, nint userData, int messageId, int qosCount, int* grantedQos)
    {
        MosquittoTransport? transport = null;
        try
        {
            transport = From(userData);
            var granted = qosCount > 0 && grantedQos is not null && grantedQos[0] < SubackFailure;
            transport?.SubscriptionAcknowledged(messageId, granted);
        }
        catch (Exception ex)
        {
            transport?.CallbackFailed(nameof(OnSubscribe), ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnLog(nint mosq, nint userData, int level, byte* text)
    {
        MosquittoTransport? transport = null;
        try
        {
            transport = From(userData);
            transport?.LibraryLogged(level, text);
        }
        catch (Exception ex)
        {
            transport?.CallbackFailed(nameof(OnLog), ex);
        }
    }

    // Used as mosquitto_tls_set's pw_callback: a key that needs a pass phrase fails to load instead of prompting.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int NoPassphrase(byte* buffer, int size, int readWrite, void* userData) => 0;

    private void Connected(int rc, bool sessionPresent)
    {
        if (rc == 0)
        {
            _connected = true;
            Volatile.Write(ref _lastLibraryError, null);

            // Subscribing from here is what libmosquitto's own examples do: it only queues a packet.
            foreach (var (filter, qos) in _subscriptions.Connected(sessionPresent))
            {
                var result = SendSubscribe(filter, qos);
                if (result != MosquittoError.Success)
                {
                    _events.Writer.TryWrite(new NativeEvent.SubscribeFailed(filter, result));
                }
            }
        }

        _events.Writer.TryWrite(new NativeEvent.Connected(rc, sessionPresent));
    }

    private void Disconnected(int rc)
    {
        _connected = false;
        _subscriptions.Disconnected();

        // mosquitto_strerror(MOSQ_ERR_ERRNO) reads errno, which means something only here, on this thread, and only
        // when it survived the runtime's way into this callback (it often does not; the supervisor then finds out).
        var errno = rc == MosquittoError.Errno ? Marshal.GetLastSystemError() : 0;
        _events.Writer.TryWrite(new NativeEvent.Disconnected(rc, errno, Interlocked.Exchange(ref _lastLibraryError, null)));
    }

    private void PublishAcknowledged(int messageId)
    {
        if (_publishes.TryAcknowledge(messageId, out var pending))
        {
            Acknowledged(messageId, pending);
        }
    }

    private unsafe void Received(MosquittoMessage* message)
    {
        // Both buffers belong to libmosquitto and are freed when this callback returns: copy them now.
        var topic = Marshal.PtrToStringUTF8(message->Topic) ?? "";
        var payload = message->PayloadLength > 0
            ? new ReadOnlySpan<byte>((void*)message->Payload, message->PayloadLength).ToArray()
            : [];
        WriteMessage(new MqttMessage(topic, payload, (MqttQos)message->Qos, message->Retain != 0));
    }

    private void SubscriptionAcknowledged(int messageId, bool granted)
    {
        if (_subscriptions.Acknowledged(messageId, granted) is { } filter)
        {
            _events.Writer.TryWrite(new NativeEvent.SubscriptionAnswered(filter, granted));
        }
    }

    private unsafe void LibraryLogged(int level, byte* text)
    {
        if (level == MosquittoNative.LogError)
        {
            var line = MosquittoNative.Text(text);

            // A failed TLS handshake ends the network thread without a disconnect callback; this line is all we hear.
            if (line.StartsWith("OpenSSL Error", StringComparison.Ordinal))
            {
                _events.Writer.TryWrite(new NativeEvent.TlsFailed(line));
            }

            Volatile.Write(ref _lastLibraryError, line);
            _libraryLines.Writer.TryWrite(line);
        }
        else if (_libraryDebug)
        {
            _libraryLines.Writer.TryWrite(MosquittoNative.Text(text));
        }
    }

    private void CallbackFailed(string callback, Exception exception) =>
        _events.Writer.TryWrite(new NativeEvent.CallbackFailed(callback, exception));

    /// <summary>What the callbacks hand to the supervising task.</summary>
    private abstract record NativeEvent
    {
        public sealed record Connected(int Code, bool SessionPresent) : NativeEvent;

        public sealed record Disconnected(int Error, int Errno, string? LibraryError) : NativeEvent;

        public sealed record TlsFailed(string Line) : NativeEvent;

        public sealed record SubscriptionAnswered(string Filter, bool Granted) : NativeEvent;

        public sealed record SubscribeFailed(string Filter, int Error) : NativeEvent;

        public sealed record CallbackFailed(string Callback, Exception Exception) : NativeEvent;
    }
}
