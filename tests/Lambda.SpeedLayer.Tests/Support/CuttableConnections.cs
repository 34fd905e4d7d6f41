using Lambda.Testing;
using System.Net.Sockets;
using Lambda.Shared.ClickHouse;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// A ClickHouse client whose TCP connection a test can close the way the kernel closes a killed process's
/// socket (an orderly FIN after the bytes already sent), to cut an insert off between two chunks.
/// </summary>
internal sealed class CuttableConnections : IDisposable
{
    private readonly HttpClient _http;
    private Socket? _socket;

    public CuttableConnections(ClickHouseTestDatabase database)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                _socket = socket;
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        Client = new ClickHouseClient(_http, new ClickHouseOptions { Url = database.Url, Database = database.Name, MaxRetryAttempts = 0 }, NullLogger<ClickHouseClient>.Instance);
    }

    public IClickHouseClient Client { get; }

    /// <summary>Closes the connection as a dying process would: what was sent arrives, then end of stream.</summary>
    public void Cut()
    {
        var socket = _socket ?? throw new InvalidOperationException("no connection yet");
        socket.Shutdown(SocketShutdown.Both);
        socket.Close();
    }

    public void Dispose() => _http.Dispose();
}
