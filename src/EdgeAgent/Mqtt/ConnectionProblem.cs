using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// Why the connection is not up, as one line a technician can act on, and whether it needs a person (a refusal) or
/// only time (the broker or the network is down).
/// </summary>
internal sealed record ConnectionProblem(string Reason, bool NeedsAttention)
{
    /// <summary>What a TLS failure that OpenSSL did not explain is called.</summary>
    public const string TlsWithoutDetails = "the TLS connection failed or was closed by the broker (OpenSSL gave no details; the broker's log says why)";

    /// <summary>errno EPROTO on Linux.</summary>
    private const int EProto = 71;

    /// <summary>A CONNACK with a non-zero return code (MQTT 3.1.1 section 3.2.2.3; MQTT 5 section 3.2.2.2 reason codes).</summary>
    public static unsafe ConnectionProblem FromConnack(int code, MqttProtocolVersion protocol)
    {
        var text = Trim(protocol == MqttProtocolVersion.V5
            ? MosquittoNative.Text(MosquittoNative.ReasonString(code))
            : MosquittoNative.Text(MosquittoNative.ConnackString(code)));
        var (hint, attention) = (protocol, code) switch
        {
            (MqttProtocolVersion.V5, 0x86) or (not MqttProtocolVersion.V5, 4) =>
                ("bad user name or password: check Mqtt:UserName and the password in Mqtt:PasswordFile", true),
            (MqttProtocolVersion.V5, 0x87) or (not MqttProtocolVersion.V5, 5) =>
                ("not authorised: check Mqtt:UserName and the password in Mqtt:PasswordFile, or the broker's access rules for this client", true),
            (MqttProtocolVersion.V5, 0x85) or (not MqttProtocolVersion.V5, 2) =>
                ("the broker rejects the client id: check Mqtt:ClientId", true),
            (MqttProtocolVersion.V5, 0x84) or (not MqttProtocolVersion.V5, 1) =>
                ("the broker does not speak this protocol version: check Mqtt:ProtocolVersion", true),
            (MqttProtocolVersion.V5, 0x8A) => ("this client is banned by the broker", true),
            _ => ("", false),
        };
        return new ConnectionProblem(hint.Length == 0 ? $"{text} (CONNACK {code})" : $"{text} (CONNACK {code}): {hint}", attention);
    }

    /// <summary>A disconnect reported by libmosquitto, with the last error line it logged before it, if any.</summary>
    public static unsafe ConnectionProblem FromDisconnect(int error, int errno, string? libraryError)
    {
        if (libraryError is not null && libraryError.StartsWith("OpenSSL Error", StringComparison.Ordinal))
        {
            return FromTls(libraryError);
        }

        if (error == MosquittoError.Errno && errno == EProto)
        {
            // How libmosquitto passes on an OpenSSL failure it did not log (lib/net_mosq.c sets errno = EPROTO).
            return new ConnectionProblem(TlsWithoutDetails, NeedsAttention: false);
        }

        var text = error == MosquittoError.Errno && errno != 0
            ? Marshal.GetPInvokeErrorMessage(errno)
            : Trim(MosquittoNative.Text(MosquittoNative.StrError(error)));
        return new ConnectionProblem(libraryError is null ? text : $"{text} ({libraryError})", NeedsAttention: false);
    }

    /// <summary>mosquitto_connect_async failed at once (the address could not be resolved, the port refused the connection).</summary>
    public static unsafe ConnectionProblem FromConnectCall(int error, int errno, string host) => error switch
    {
        MosquittoError.Errno when errno != 0 => new ConnectionProblem(Marshal.GetPInvokeErrorMessage(errno), NeedsAttention: false),
        MosquittoError.AddressInfo => new ConnectionProblem($"cannot resolve the host name '{host}' (check Mqtt:Host and DNS)", NeedsAttention: false),
        _ => new ConnectionProblem(Trim(MosquittoNative.Text(MosquittoNative.StrError(error))), NeedsAttention: false),
    };

    /// <summary>
    /// Why a TCP connection to the broker fails, found by trying one: for socket errors libmosquitto reports as
    /// "see errno" when errno did not survive into the callback (the runtime may use it on the way in).
    /// </summary>
    public static async Task<ConnectionProblem> DiagnoseAsync(string host, int port, bool tls, TimeProvider time)
    {
        var timeout = TimeSpan.FromSeconds(3);
        using var client = new TcpClient();
        using var cancel = new CancellationTokenSource(timeout, time);
        try
        {
            await client.ConnectAsync(host, port, cancel.Token);
            return new ConnectionProblem(
                tls ? TlsWithoutDetails : "the connection failed, though the broker's port accepts TCP connections", NeedsAttention: false);
        }
        catch (OperationCanceledException)
        {
            return new ConnectionProblem($"no answer from the broker within {timeout.TotalSeconds:0} s (timed out; a firewall or the network?)", NeedsAttention: false);
        }
        catch (SocketException ex)
        {
            return new ConnectionProblem(
                ex.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused (is the broker running, and is Mqtt:Port right?)",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"cannot resolve the host name '{host}' (check Mqtt:Host and DNS)",
                    SocketError.NetworkUnreachable => "network unreachable",
                    SocketError.HostUnreachable => "host unreachable",
                    _ => ex.Message,
                },
                NeedsAttention: false);
        }
    }

    /// <summary>
    /// A TLS failure, from the OpenSSL error libmosquitto logged, e.g.
    /// <c>OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed</c>.
    /// </summary>
    public static ConnectionProblem FromTls(string opensslLine)
    {
        var detail = opensslLine[(opensslLine.LastIndexOf(':') + 1)..].Trim();
        if (detail.Length == 0)
        {
            detail = opensslLine;
        }

        (string Hint, bool Attention) verdict = detail switch
        {
            _ when detail.Contains("certificate verify failed", StringComparison.OrdinalIgnoreCase) =>
                ("the broker's certificate is not signed by a CA in Mqtt:CaFile, has expired, or does not name Mqtt:Host", true),
            _ when detail.Contains("unknown ca", StringComparison.OrdinalIgnoreCase)
                || detail.Contains("bad certificate", StringComparison.OrdinalIgnoreCase)
                || detail.Contains("certificate unknown", StringComparison.OrdinalIgnoreCase)
                || detail.Contains("certificate required", StringComparison.OrdinalIgnoreCase)
                || detail.Contains("certificate expired", StringComparison.OrdinalIgnoreCase) =>
                ("the broker rejected this box's client certificate: Mqtt:CertFile must be signed by a CA the broker trusts, and be valid", true),
            _ when detail.Contains("wrong version number", StringComparison.OrdinalIgnoreCase)
                || detail.Contains("packet length too long", StringComparison.OrdinalIgnoreCase) =>
                ("the port does not speak TLS: is Mqtt:Port the broker's TLS listener?", true),
            _ when detail.Contains("key values mismatch", StringComparison.OrdinalIgnoreCase) =>
                ("Mqtt:KeyFile is not the private key of Mqtt:CertFile", true),
            _ => ("", false),
        };
        return new ConnectionProblem(
            verdict.Hint.Length == 0 ? $"TLS failure ({detail})" : $"TLS failure ({detail}): {verdict.Hint}", verdict.Attention);
    }

    private static string Trim(string text) => text.TrimEnd('.', ' ');
}
