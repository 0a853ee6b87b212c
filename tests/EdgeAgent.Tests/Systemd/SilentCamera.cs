using System.Net;
using System.Net.Sockets;

namespace EdgeAnpr.Agent.Tests.Systemd;

/// <summary>
/// A camera that is there and never answers: a TCP listener on 127.0.0.1 that accepts each connection and holds it
/// open without sending a byte, as a hung camera's RTSP port does. ffmpeg connects, then waits for a reply that never comes.
/// </summary>
internal sealed class SilentCamera : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _connections = [];
    private readonly Task _accepting;

    public SilentCamera()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"rtsp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/stream1";

    /// <summary>Connections accepted so far.</summary>
    public int Connections
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync();
                lock (_connections)
                {
                    _connections.Add(socket);
                }
            }
        }
        catch (SocketException)
        {
            // Stopped.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting;
        lock (_connections)
        {
            _connections.ForEach(c => c.Dispose());
        }
    }
}
