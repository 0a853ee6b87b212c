using System.Net.Sockets;
using System.Text;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Systemd;

/// <summary>
/// What systemd listens on for a <c>Type=notify</c> service: a Unix datagram socket, its path handed to the child as
/// <c>NOTIFY_SOCKET</c>. Keeps every notification in the order received.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly byte[] _buffer = new byte[4096];

    public NotifySocket(string directory)
    {
        Path = System.IO.Path.Combine(directory, "notify.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    public string Path { get; }

    /// <summary>Every notification received so far, oldest first.</summary>
    public List<string> Messages { get; } = [];

    /// <summary>The child's environment for a unit with <c>WatchdogSec=</c> of <paramref name="watchdog"/>.</summary>
    public Dictionary<string, string> Environment(TimeSpan watchdog) => new()
    {
        ["NOTIFY_SOCKET"] = Path,
        ["WATCHDOG_USEC"] = ((long)watchdog.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Receives notifications until one matches; returns its index in <see cref="Messages"/>.</summary>
    public async Task<int> WaitForAsync(Func<string, bool> match, TimeSpan timeout, AgentProcess agent)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var length = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cancel.Token);
                var message = Encoding.UTF8.GetString(_buffer, 0, length);
                Messages.Add(message);
                if (match(message))
                {
                    return Messages.Count - 1;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No matching notification within {timeout.TotalSeconds:0.#} s; got [{string.Join(", ", Messages)}]. stderr:\n{agent.Error}");
            throw;
        }
    }

    public void Dispose() => _socket.Dispose();
}
