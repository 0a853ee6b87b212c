using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The functions this binding calls in Debian's <c>libmosquitto.so.1</c> (2.0.x), as declared in
/// <c>mosquitto.h</c>. Functions returning <c>int</c> return a <c>mosq_err_t</c> (<see cref="MosquittoError"/>).
/// Callbacks are <c>cdecl</c> function pointers to <see cref="UnmanagedCallersOnlyAttribute"/> methods; they run on
/// libmosquitto's network thread.
/// </summary>
internal static unsafe partial class MosquittoNative
{
    public const string LibraryName = "libmosquitto.so.1";

    /// <summary><c>MOSQ_OPT_PROTOCOL_VERSION</c> for <see cref="IntOption"/>.</summary>
    public const int OptionProtocolVersion = 1;

    /// <summary><c>SSL_VERIFY_PEER</c> for <see cref="TlsOptionsSet"/>: the broker's certificate must verify.</summary>
    public const int TlsVerifyPeer = 1;

    // Log levels of the log callback (MOSQ_LOG_*).
    public const int LogInfo = 0x01;
    public const int LogNotice = 0x02;
    public const int LogWarning = 0x04;
    public const int LogError = 0x08;
    public const int LogDebug = 0x10;

    // int mosquitto_lib_init(void); int mosquitto_lib_cleanup(void)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_lib_init")]
    public static partial int LibInit();

    [LibraryImport(LibraryName, EntryPoint = "mosquitto_lib_cleanup")]
    public static partial int LibCleanup();

    // int mosquitto_lib_version(int *major, int *minor, int *revision)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_lib_version")]
    public static partial int LibVersion(out int major, out int minor, out int revision);

    // struct mosquitto *mosquitto_new(const char *id, bool clean_session, void *obj); NULL with errno set on failure.
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_new", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial MosquittoHandle New(string? id, [MarshalAs(UnmanagedType.U1)] bool cleanSession, nint userData);

    // void mosquitto_destroy(struct mosquitto *mosq)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_destroy")]
    public static partial void Destroy(nint mosq);

    // int mosquitto_int_option(struct mosquitto *mosq, enum mosq_opt_t option, int value)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_int_option")]
    public static partial int IntOption(MosquittoHandle mosq, int option, int value);

    // int mosquitto_username_pw_set(struct mosquitto *mosq, const char *username, const char *password)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_username_pw_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UserNamePasswordSet(MosquittoHandle mosq, string? userName, string? password);

    // int mosquitto_tls_set(struct mosquitto *mosq, const char *cafile, const char *capath, const char *certfile,
    //                       const char *keyfile, int (*pw_callback)(char *buf, int size, int rwflag, void *userdata))
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_tls_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TlsSet(
        MosquittoHandle mosq, string? caFile, string? caPath, string? certFile, string? keyFile,
        delegate* unmanaged[Cdecl]<byte*, int, int, void*, int> passwordCallback);

    // int mosquitto_tls_opts_set(struct mosquitto *mosq, int cert_reqs, const char *tls_version, const char *ciphers)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_tls_opts_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TlsOptionsSet(MosquittoHandle mosq, int certificateRequirements, string? tlsVersion, string? ciphers);

    // int mosquitto_tls_insecure_set(struct mosquitto *mosq, bool value). Not used by the product: it turns off the
    // broker host name check. Bound for completeness of the TLS surface.
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_tls_insecure_set")]
    public static partial int TlsInsecureSet(MosquittoHandle mosq, [MarshalAs(UnmanagedType.U1)] bool value);

    // int mosquitto_will_set(struct mosquitto *mosq, const char *topic, int payloadlen, const void *payload, int qos, bool retain)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_will_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WillSet(MosquittoHandle mosq, string topic, int payloadLength, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain);

    // int mosquitto_reconnect_delay_set(struct mosquitto *mosq, unsigned int reconnect_delay,
    //                                   unsigned int reconnect_delay_max, bool reconnect_exponential_backoff)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_reconnect_delay_set")]
    public static partial int ReconnectDelaySet(MosquittoHandle mosq, uint delay, uint maxDelay, [MarshalAs(UnmanagedType.U1)] bool exponentialBackoff);

    // int mosquitto_connect_async(struct mosquitto *mosq, const char *host, int port, int keepalive)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_connect_async", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int ConnectAsync(MosquittoHandle mosq, string host, int port, int keepAliveSeconds);

    // int mosquitto_disconnect(struct mosquitto *mosq)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_disconnect")]
    public static partial int Disconnect(MosquittoHandle mosq);

    // int mosquitto_loop_start(struct mosquitto *mosq); int mosquitto_loop_stop(struct mosquitto *mosq, bool force)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_loop_start")]
    public static partial int LoopStart(MosquittoHandle mosq);

    [LibraryImport(LibraryName, EntryPoint = "mosquitto_loop_stop")]
    public static partial int LoopStop(MosquittoHandle mosq, [MarshalAs(UnmanagedType.U1)] bool force);

    // int mosquitto_publish(struct mosquitto *mosq, int *mid, const char *topic, int payloadlen, const void *payload, int qos, bool retain)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_publish", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Publish(MosquittoHandle mosq, int* messageId, string topic, int payloadLength, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain);

    // int mosquitto_subscribe(struct mosquitto *mosq, int *mid, const char *sub, int qos)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_subscribe", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Subscribe(MosquittoHandle mosq, int* messageId, string topicFilter, int qos);

    // int mosquitto_sub_topic_check(const char *sub): MOSQ_ERR_INVAL for a bad filter ('#' not last, '+' not a whole level)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_sub_topic_check", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SubscriptionTopicCheck(string topicFilter);

    // void mosquitto_connect_with_flags_callback_set(struct mosquitto *, void (*)(struct mosquitto *, void *obj, int rc, int flags))
    // (the connect callback that also reports the CONNACK flags: bit 0 is "session present", MQTT 3.1.1 section 3.2.2.2)
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_connect_with_flags_callback_set")]
    public static partial void ConnectWithFlagsCallbackSet(MosquittoHandle mosq, delegate* unmanaged[Cdecl]<nint, nint, int, int, void> callback);

    // void mosquitto_disconnect_callback_set(struct mosquitto *, void (*)(struct mosquitto *, void *obj, int rc))
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_disconnect_callback_set")]
    public static partial void DisconnectCallbackSet(MosquittoHandle mosq, delegate* unmanaged[Cdecl]<nint, nint, int, void> callback);

    // void mosquitto_publish_callback_set(struct mosquitto *, void (*)(struct mosquitto *, void *obj, int mid))
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_publish_callback_set")]
    public static partial void PublishCallbackSet(MosquittoHandle mosq, delegate* unmanaged[Cdecl]<nint, nint, int, void> callback);

    // void mosquitto_message_callback_set(struct mosquitto *, void (*)(struct mosquitto *, void *obj, const struct mosquitto_message *))
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_message_callback_set")]
    public static partial void MessageCallbackSet(MosquittoHandle mosq, delegate* unmanaged[Cdecl]<nint, nint, MosquittoMessage*, void> callback);

    // void mosquitto_subscribe_callback_set(struct mosquitto *, void (*)(struct mosquitto *, void *obj, int mid, int qos_count, const int *granted_qos))
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_subscribe_callback_set")]
    public static partial void SubscribeCallbackSet(MosquittoHandle mosq, delegate* unmanaged[Cdecl]<nint, nint, int, int, int*, void> callback);

    // void mosquitto_log_callback_set(struct mosquitto *, void (*)(struct mosquitto *, void *obj, int level, const char *str))
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_log_callback_set")]
    public static partial void LogCallbackSet(MosquittoHandle mosq, delegate* unmanaged[Cdecl]<nint, nint, int, byte*, void> callback);

    // const char *mosquitto_strerror(int mosq_errno); const char *mosquitto_connack_string(int connack_code);
    // const char *mosquitto_reason_string(int reason_code) (MQTT 5 reason codes). Static strings: never freed.
    [LibraryImport(LibraryName, EntryPoint = "mosquitto_strerror")]
    public static partial byte* StrError(int error);

    [LibraryImport(LibraryName, EntryPoint = "mosquitto_connack_string")]
    public static partial byte* ConnackString(int connackCode);

    [LibraryImport(LibraryName, EntryPoint = "mosquitto_reason_string")]
    public static partial byte* ReasonString(int reasonCode);

    /// <summary>A static C string from the library, or an empty string for NULL.</summary>
    public static string Text(byte* value) => Marshal.PtrToStringUTF8((nint)value) ?? "";
}

/// <summary>
/// <c>struct mosquitto_message { int mid; char *topic; void *payload; int payloadlen; int qos; bool retain; }</c>.
/// Sequential layout gives C's natural alignment on both 64-bit (topic at 8) and 32-bit ARM (topic at 4).
/// Owned by libmosquitto and valid only during the message callback.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MosquittoMessage
{
    public int MessageId;
    public nint Topic;
    public nint Payload;
    public int PayloadLength;
    public int Qos;
    public byte Retain;
}

/// <summary><c>mosq_err_t</c> values this binding acts on (mosquitto.h).</summary>
internal static class MosquittoError
{
    public const int Success = 0;
    public const int NoMemory = 1;
    public const int Protocol = 2;
    public const int Invalid = 3;
    public const int NoConnection = 4;
    public const int ConnectionRefused = 5;
    public const int NotFound = 6;
    public const int ConnectionLost = 7;
    public const int Tls = 8;
    public const int PayloadSize = 9;
    public const int NotSupported = 10;
    public const int Auth = 11;
    public const int AclDenied = 12;
    public const int Unknown = 13;
    public const int Errno = 14;
    public const int AddressInfo = 15;
    public const int Proxy = 16;
    public const int Keepalive = 19;
    public const int TlsHandshake = 23;
    public const int OversizePacket = 25;
}
