using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// Sends one line to the system log (journald and rsyslog both listen on <c>/dev/log</c>), so that a change a
/// technician made from the command line shows in <c>journalctl -t edge-anpr</c> beside the agent's own lines. Best
/// effort: a box without a syslog socket still has the audit row in the database.
/// </summary>
internal static class SyslogLine
{
    public const string DefaultSocket = "/dev/log";

    /// <summary>LOG_AUTHPRIV (10) and LOG_NOTICE (5), RFC 5424 section 6.2.1: a security-relevant change, kept from ordinary users.</summary>
    private const int AuthPrivNotice = (10 * 8) + 5;

    /// <summary>Sends <paramref name="message"/> tagged <c>edge-anpr</c>; false when no syslog socket took it.</summary>
    public static bool TrySend(string message, string socketPath = DefaultSocket)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            // The local syslog format of syslog(3): "<PRI>TAG[PID]: MESSAGE"; journald reads the tag as SYSLOG_IDENTIFIER.
            var line = string.Create(CultureInfo.InvariantCulture, $"<{AuthPrivNotice}>edge-anpr[{Environment.ProcessId}]: {message}");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.Send(Encoding.UTF8.GetBytes(line));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
