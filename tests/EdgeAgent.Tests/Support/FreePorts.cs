using System.Net;
using System.Net.Sockets;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>TCP ports on 127.0.0.1 that nothing listens on, for test servers and for "connection refused".</summary>
internal static class FreePorts
{
    /// <summary>A port the kernel just handed out and took back; free unless something grabs it in between.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
