using System.Net;
using System.Net.Sockets;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a broker port. <see cref="CutAll"/> resets every relayed connection at
/// once, on both sides, as a dead box or a cut cable would: the broker sees the client vanish without a
/// DISCONNECT (and publishes its will), the client sees its connection lost. New connections are relayed as before.
/// </summary>
/// <remarks>
/// Made with <c>filterPubacks</c>, the relay reads the broker-to-client stream as MQTT packets (fixed header and
/// remaining length, MQTT 3.1.1 section 2.2) and, while <see cref="WithholdPubacks"/> is set, drops every PUBACK
/// (packet type 4) and forwards everything else (CONNACK, PINGRESP, ...). The broker has then received and routed
/// the client's publishes, but the client never hears that it did: what a link dying just after the broker took a
/// hit looks like. Without it the bytes pass untouched both ways, so TLS can go through too.
/// </remarks>
internal sealed class MosquittoRelay : IAsyncDisposable
{
    private const int Puback = 4;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly bool _filterPubacks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private long _withheld;
    private bool _withhold;

    /// <param name="targetPort">The broker's port on 127.0.0.1.</param>
    /// <param name="filterPubacks">Read the broker's packets so that <see cref="WithholdPubacks"/> can drop PUBACKs.</param>
    public MosquittoRelay(int targetPort, bool filterPubacks = false)
    {
        _target = targetPort;
        _filterPubacks = filterPubacks;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The port clients connect to instead of the broker's.</summary>
    public int Port { get; }

    /// <summary>Connections relayed so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>While true, PUBACKs from the broker are dropped; only on a relay made with <c>filterPubacks</c>.</summary>
    public bool WithholdPubacks
    {
        get => Volatile.Read(ref _withhold);
        set
        {
            if (!_filterPubacks)
            {
                throw new InvalidOperationException("This relay does not read packets: make it with filterPubacks: true.");
            }

            Volatile.Write(ref _withhold, value);
        }
    }

    /// <summary>PUBACKs dropped so far.</summary>
    public long Withheld => Interlocked.Read(ref _withheld);

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
            _ = _filterPubacks ? FilterAsync(broker, client) : PumpAsync(broker, client);
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

    /// <summary>Forwards whole packets from the broker, dropping PUBACKs while asked to.</summary>
    private async Task FilterAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await from.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                filled += read;
                var start = 0;
                while (TryPacketLength(buffer.AsSpan(start, filled - start), out var length))
                {
                    if (WithholdPubacks && buffer[start] >> 4 == Puback)
                    {
                        Interlocked.Increment(ref _withheld);
                    }
                    else
                    {
                        await to.SendAsync(buffer.AsMemory(start, length), SocketFlags.None);
                    }

                    start += length;
                }

                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut, or the other side went away.
        }
    }

    /// <summary>The whole length of the packet at the start of <paramref name="data"/>, when all of it is there.</summary>
    private static bool TryPacketLength(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        var remaining = 0;
        for (int i = 1, shift = 0; i < Math.Min(data.Length, 5); i++, shift += 7)
        {
            remaining |= (data[i] & 0x7F) << shift;
            if ((data[i] & 0x80) == 0)
            {
                length = 1 + i + remaining;
                return data.Length >= length;
            }
        }

        return false;
    }
}
