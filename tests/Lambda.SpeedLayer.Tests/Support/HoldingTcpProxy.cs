using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// A TCP forwarder in front of a server (ClickHouse's HTTP port) that a test can hold: while held, what the client sends
/// is read but not passed on until <see cref="Release"/>, so a request the client has already decided to make (an insert
/// whose ownership check passed) arrives later, as it would from a process that froze in the middle of it.
/// </summary>
internal sealed class HoldingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private TaskCompletionSource? _hold;
    private int _heldInserts;

    public HoldingTcpProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's address, in the target's scheme and path.</summary>
    public Uri Url => new UriBuilder(_target) { Host = "127.0.0.1", Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;

    /// <summary>Requests that insert into a speed table (not its fences) that arrived while held (held back until <see cref="Release"/>).</summary>
    public int HeldInserts => Volatile.Read(ref _heldInserts);

    public void Hold()
    {
        Volatile.Write(ref _heldInserts, 0);
        Interlocked.Exchange(ref _hold, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    public void Release() => Interlocked.Exchange(ref _hold, null)?.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                using var fromClient = client.GetStream();
                using var toServer = server.GetStream();
                await Task.WhenAny(PumpAsync(fromClient, toServer, upstream: true), PumpAsync(toServer, fromClient, upstream: false));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A side closed: so does the other one (the usings), as a plain connection would.
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool upstream)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (upstream && Volatile.Read(ref _hold) is { } hold)
            {
                var head = Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 512));
                if (head.Contains("INSERT", StringComparison.OrdinalIgnoreCase) && !head.Contains("speed_fences", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _heldInserts);
                }

                await hold.Task.WaitAsync(_stop.Token);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }
}
