using System.Net.Sockets;
using System.Security.Authentication;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// Why the connection is not up, as one line a technician can act on, and whether it needs a person (a refusal) or
/// only time (the broker or the network is down).
/// </summary>
internal sealed record ConnectionProblem(string Reason, bool NeedsAttention)
{
    /// <summary>What a lost connection without any further detail is called.</summary>
    public const string ClosedByBroker = "the broker closed the connection";

    /// <summary>A CONNACK that refuses the connection (MQTT 3.1.1 section 3.2.2.3; MQTT 5 section 3.2.2.2 reason codes).</summary>
    public static ConnectionProblem FromConnack(MqttClientConnectResultCode code, MqttProtocolVersion protocol)
    {
        var (text, hint, attention) = code switch
        {
            MqttClientConnectResultCode.BadUserNameOrPassword =>
                ("bad user name or password", "check Mqtt:UserName and the password in Mqtt:PasswordFile", true),
            MqttClientConnectResultCode.NotAuthorized =>
                ("not authorised", "check Mqtt:UserName and the password in Mqtt:PasswordFile, or the broker's access rules for this client", true),
            MqttClientConnectResultCode.ClientIdentifierNotValid => ("identifier rejected", "the broker rejects the client id: check Mqtt:ClientId", true),
            MqttClientConnectResultCode.UnsupportedProtocolVersion =>
                ("unacceptable protocol version", "the broker does not speak this protocol version: check Mqtt:ProtocolVersion", true),
            MqttClientConnectResultCode.Banned => ("banned", "this client is banned by the broker", true),
            MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy => ("server unavailable", "", false),
            _ => (code.ToString(), "", false),
        };

        // MQTT 3.1.1 has six return codes; MQTTnet reads them as MQTT 5 reason codes, so name the one on the wire.
        var wire = protocol == MqttProtocolVersion.V5 ? (int)code : code switch
        {
            MqttClientConnectResultCode.UnsupportedProtocolVersion => 1,
            MqttClientConnectResultCode.ClientIdentifierNotValid => 2,
            MqttClientConnectResultCode.ServerUnavailable => 3,
            MqttClientConnectResultCode.BadUserNameOrPassword => 4,
            MqttClientConnectResultCode.NotAuthorized => 5,
            _ => (int)code,
        };
        return new ConnectionProblem(hint.Length == 0 ? $"{text} (CONNACK {wire})" : $"{text} (CONNACK {wire}): {hint}", attention);
    }

    /// <summary>
    /// A connect attempt or a connection that failed with <paramref name="exception"/>. <paramref name="certificateProblem"/>
    /// is what this box's own check of the broker's certificate found, when it refused it (the TLS stack then only
    /// says the certificate was rejected); <paramref name="host"/> names the broker for a name that does not resolve;
    /// <paramref name="protocol"/> says how to number a refusing CONNACK, <paramref name="connack"/> is the one received, if any.
    /// </summary>
    public static ConnectionProblem FromException(
        Exception exception, string? certificateProblem, string host, MqttProtocolVersion protocol, MqttClientConnectResult? connack = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Find<MqttConnectingFailedException>(exception) is { } refused)
        {
            // MQTTnet 5 hands the CONNACK to its disconnect event, and names its code at the end of this message.
            var named = refused.Message[(refused.Message.LastIndexOf(' ') + 1)..].TrimEnd('.');
            if (connack is { ResultCode: not MqttClientConnectResultCode.Success } || Enum.TryParse<MqttClientConnectResultCode>(named, out _))
            {
                return FromConnack(connack?.ResultCode ?? Enum.Parse<MqttClientConnectResultCode>(named), protocol);
            }
        }

        if (certificateProblem is not null)
        {
            return new ConnectionProblem(
                $"TLS failure (certificate verify failed: {certificateProblem}): the broker's certificate is not signed by a CA in Mqtt:CaFile, has expired, or does not name Mqtt:Host",
                NeedsAttention: true);
        }

        if (Find<AuthenticationException>(exception) is not null || Messages(exception).Contains("SSL", StringComparison.Ordinal))
        {
            return FromTls(Messages(exception));
        }

        if (Find<SocketException>(exception) is { } socket)
        {
            return new ConnectionProblem(
                socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused (is the broker running, and is Mqtt:Port right?)",
                    SocketError.TimedOut => "connection timed out (a firewall or the network?)",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"cannot resolve the host name '{host}' (check Mqtt:Host and DNS)",
                    SocketError.NetworkUnreachable => "network unreachable",
                    SocketError.HostUnreachable => "host unreachable",
                    SocketError.ConnectionReset => "the connection was reset by the broker",
                    _ => Trim(socket.Message),
                },
                NeedsAttention: false);
        }

        if (Find<MqttCommunicationTimedOutException>(exception) is not null)
        {
            return new ConnectionProblem("no answer from the broker in time (timed out)", NeedsAttention: false);
        }

        if (Find<EndOfStreamException>(exception) is not null || Messages(exception).Contains("EOF", StringComparison.Ordinal))
        {
            return new ConnectionProblem(ClosedByBroker, NeedsAttention: false);
        }

        return new ConnectionProblem(Trim(Innermost(exception).Message), NeedsAttention: false);
    }

    /// <summary>
    /// True when <paramref name="exception"/> says the broker closed or reset a connection it had accepted: over TLS
    /// that may be a refused client certificate whose alert was lost (see <see cref="TlsProbe"/>).
    /// </summary>
    public static bool ClosedAfterAccepting(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Find<SocketException>(exception) is { } socket)
        {
            return socket.SocketErrorCode is SocketError.ConnectionReset or SocketError.NotConnected or SocketError.ConnectionAborted or SocketError.Shutdown;
        }

        return Find<EndOfStreamException>(exception) is not null || Find<IOException>(exception) is not null || Messages(exception).Contains("EOF", StringComparison.Ordinal);
    }

    /// <summary>
    /// A TLS failure, from the text of the TLS stack's error, which on Linux carries OpenSSL's reason, e.g.
    /// <c>error:0A000418:SSL routines::tlsv1 alert unknown ca</c>.
    /// </summary>
    public static ConnectionProblem FromTls(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var detail = OpenSslReason(text);
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
                || detail.Contains("packet length too long", StringComparison.OrdinalIgnoreCase)
                || detail.Contains("record layer failure", StringComparison.OrdinalIgnoreCase) =>
                ("the port does not speak TLS: is Mqtt:Port the broker's TLS listener?", true),
            _ => ("", false),
        };
        return new ConnectionProblem(
            verdict.Hint.Length == 0 ? $"TLS failure ({detail})" : $"TLS failure ({detail}): {verdict.Hint}", verdict.Attention);
    }

    /// <summary>The reason after OpenSSL's last <c>:</c>-separated field (<c>error:0A000418:SSL routines::tlsv1 alert unknown ca</c>), or the text.</summary>
    private static string OpenSslReason(string text)
    {
        var at = text.LastIndexOf("error:", StringComparison.Ordinal);
        if (at < 0)
        {
            return Trim(text);
        }

        var line = text[at..];
        var end = line.IndexOfAny(['\n', '(', ')']);
        line = end < 0 ? line : line[..end];
        var reason = line[(line.LastIndexOf(':') + 1)..].Trim();
        return reason.Length == 0 ? Trim(line) : reason;
    }

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        var current = exception;
        while (current.InnerException is not null)
        {
            current = current.InnerException;
        }

        return current;
    }

    /// <summary>Every message down the chain of inner exceptions, one per line.</summary>
    private static string Messages(Exception exception)
    {
        var lines = new List<string>();
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            lines.Add(current.Message);
        }

        return string.Join('\n', lines);
    }

    private static string Trim(string text) => text.Trim().TrimEnd('.', ' ');
}
