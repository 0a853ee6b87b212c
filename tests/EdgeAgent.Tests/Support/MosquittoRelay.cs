using System.Net;
using System.Net.Sockets;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a broker port. <see cref="CutAll"/> resets every relayed connection at
/// once, on both sides, as a dead box or a cut cable would: the broker sees the client vanish without a
/// DISCONNECT (and publishes its will), the client sees its connection lost. New connections are relayed as before.
/// </summary>
internal sealed class MosquittoRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;

    public MosquittoRelay(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The port clients connect to instead of the broker's.</summary>
    public int Port { get; }

    /// <summary>Connections relayed so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>Resets every open connection (RST, no FIN) on both sides.</summary>
    public void CutAll()
    {
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            _sockets.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var broker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await broker.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            }
            catch (SocketException)
            {
                client.Close();
                broker.Dispose();
                continue;
            }

            lock (_gate)
            {
                _sockets.Add(client);
                _sockets.Add(broker);
                Accepted++;
            }

            _ = PumpAsync(client, broker);
            _ = PumpAsync(broker, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut, or the other side went away.
        }
    }
}
