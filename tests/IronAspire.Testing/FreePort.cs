using System.Net;
using System.Net.Sockets;

namespace IronAspire.Testing;

/// <summary>Picks a free loopback TCP port (bind to port 0, read it, release it).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
