using System.Net;
using System.Net.Sockets;

namespace Lambda.Testing;

/// <summary>A TCP port on loopback that nothing listens on right now.</summary>
public static class FreePort
{
    /// <summary>Asks the OS for an unused loopback port (it may be taken again before the caller binds it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
