using System.Net.Sockets;
using System.Text;

namespace EdgeAnpr.Agent.Systemd;

/// <summary>
/// The sd_notify protocol (sd_notify(3)): newline-separated <c>KEY=VALUE</c> assignments sent as one
/// datagram to the AF_UNIX socket named by <c>$NOTIFY_SOCKET</c>. A name starting with '@' is in the
/// abstract namespace, where the '@' stands for a leading NUL byte.
/// </summary>
public sealed class SdNotify : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;

    /// <summary>A notifier for an explicit socket address (a path, or '@name' for the abstract namespace).</summary>
    public SdNotify(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _endPoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
    }

    /// <summary>The notifier for <c>$NOTIFY_SOCKET</c>, or null when not started by systemd with <c>Type=notify</c>.</summary>
    public static SdNotify? FromEnvironment() =>
        Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 } address ? new SdNotify(address) : null;

    /// <summary>The watchdog interval systemd expects pings within (<c>$WATCHDOG_USEC</c>), if it set one for this process.</summary>
    public static TimeSpan? WatchdogInterval()
    {
        // WATCHDOG_PID, when set, names the process the watchdog is meant for (sd_watchdog_enabled(3)).
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is { Length: > 0 } && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return null;
        }

        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    /// <summary>Sends one state message such as <c>READY=1</c> or <c>STATUS=...</c>; failures are returned, never thrown.</summary>
    public bool Send(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
