using System.Net.Sockets;
using System.Text;
using EdgeAnpr.Agent.Systemd;

namespace EdgeAnpr.Agent.Tests.Systemd;

public sealed class SdNotifyTests
{
    [Fact]
    public void Sends_a_datagram_to_a_socket_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-anpr-notify-{Guid.NewGuid():N}.sock");
        try
        {
            using var listener = Listen(path);
            using var notify = new SdNotify(path);

            Assert.True(notify.Send("READY=1\nSTATUS=running"));

            Assert.Equal("READY=1\nSTATUS=running", Receive(listener));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_at_sign_means_the_abstract_namespace()
    {
        var name = $"edge-anpr-notify-{Guid.NewGuid():N}";
        using var listener = Listen("\0" + name);
        using var notify = new SdNotify("@" + name);

        Assert.True(notify.Send("WATCHDOG=1"));

        Assert.Equal("WATCHDOG=1", Receive(listener));
    }

    [Fact]
    public void A_socket_nobody_listens_on_is_reported_not_thrown()
    {
        using var notify = new SdNotify(Path.Combine(Path.GetTempPath(), $"nobody-{Guid.NewGuid():N}.sock"));

        Assert.False(notify.Send("READY=1"));
    }

    private static Socket Listen(string address)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(address));
        socket.ReceiveTimeout = 5000;
        return socket;
    }

    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        var length = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
