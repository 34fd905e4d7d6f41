using System.Net;
using System.Net.Sockets;

namespace Lambda.Testing;

/// <summary>A TCP port on loopback that nothing listens on right now, for a service a test starts.</summary>
public static class FreePort
{
    // Not the OS's port 0: that hands out a port of the ephemeral range (32768-60999 on Linux), which every process's
    // next outgoing connection may take between this probe and the service's bind (CI saw a serving process fail with
    // "address already in use" that way). Below that range only an explicit bind takes a port.
    private const int First = 20000;
    private const int Last = 32000;
    private const int MaxAttempts = 500;

    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A loopback port below the ephemeral range that nothing listens on and that this process has not handed out
    /// before (another process may still bind it before the caller does, but no outgoing connection will).
    /// </summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            lock (Given)
            {
                if (!Given.Add(port))
                {
                    continue;
                }
            }

            if (CanBind(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{Last} after {MaxAttempts} attempts");
    }

    private static bool CanBind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            // In use: the caller gets another port.
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
