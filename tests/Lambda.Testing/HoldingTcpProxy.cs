using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Lambda.Testing;

/// <summary>
/// A TCP forwarder in front of a server (ClickHouse's HTTP port, PostgreSQL) that a test can hold: while held, what the
/// client sends is read but not passed on until <see cref="Release"/>, so a request the client has already decided to make
/// (an insert whose ownership check passed, a fencing check) arrives later, whole, as it would from a process that froze
/// right after sending it, even if the client has closed the connection meanwhile (then on a new connection: only for
/// protocols without a handshake, such as HTTP; PostgreSQL keeps idle connections open).
/// </summary>
public sealed class HoldingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly Func<string, bool> _counts;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private TaskCompletionSource? _hold;
    private int _heldRequests;

    /// <param name="target">The server (its host and port; <see cref="Url"/> keeps its scheme and path).</param>
    /// <param name="counts">Whether a held read (its first 512 bytes as ASCII) is a request <see cref="HeldRequests"/> counts.</param>
    public HoldingTcpProxy(Uri target, Func<string, bool> counts)
    {
        _target = target;
        _counts = counts;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's address, in the target's scheme and path.</summary>
    public Uri Url => new UriBuilder(_target) { Host = "127.0.0.1", Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;

    /// <summary>Requests the constructor's predicate counts that arrived while held (held back until <see cref="Release"/>).</summary>
    public int HeldRequests => Volatile.Read(ref _heldRequests);

    /// <summary>Holds back everything clients send from now on (and counts the held requests afresh).</summary>
    public void Hold()
    {
        Volatile.Write(ref _heldRequests, 0);
        Interlocked.Exchange(ref _hold, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Passes on what was held, and everything after it.</summary>
    public void Release() => Interlocked.Exchange(ref _hold, null)?.TrySetResult();

    /// <inheritdoc/>
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
        {
            var fromClient = client.GetStream();
            var upstream = Channel.CreateUnbounded<(byte[] Bytes, Task Release)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var reading = ReadClientAsync(fromClient, upstream.Writer);
            TcpClient? server = null;
            Task? downstream = null;
            try
            {
                await foreach (var (bytes, release) in upstream.Reader.ReadAllAsync(_stop.Token))
                {
                    await release.WaitAsync(_stop.Token);
                    if (server is null || downstream!.IsCompleted)
                    {
                        // The server may have closed the connection as idle while a request was held: the held request
                        // goes out on a new one, as the frozen process's request would have reached the server whole.
                        server?.Dispose();
                        server = new TcpClient();
                        await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                        downstream = AnswerAsync(server.GetStream(), client, upstream.Reader);
                    }

                    await server.GetStream().WriteAsync(bytes, _stop.Token);
                }

                // The client closed (it may have given up on a held request): the server still gets time to act on it.
                if (downstream is not null)
                {
                    await Task.WhenAny(downstream, Task.Delay(TimeSpan.FromSeconds(30), _stop.Token));
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A side closed: so does the other one, as a plain connection would.
            }
            finally
            {
                server?.Dispose();
                client.Close();
                await reading;
            }
        }
    }

    /// <summary>
    /// Passes the server's answers to the client. When the server closes with nothing held or waiting, the client's side
    /// closes too, as a plain connection would; with a request held it stays open for the request to go out on a new one.
    /// </summary>
    private async Task AnswerAsync(Stream fromServer, TcpClient client, ChannelReader<(byte[] Bytes, Task Release)> pending)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await fromServer.ReadAsync(buffer, _stop.Token)) > 0)
            {
                await client.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away; what follows decides whether the client's side closes.
        }

        if (Volatile.Read(ref _hold) is null && pending.Count == 0)
        {
            client.Close();
        }
    }

    /// <summary>
    /// Reads everything the client sends without ever waiting for a hold, so that a held request is read whole (and the
    /// client's send completes); what arrives while held carries the hold's task and is forwarded once it is released.
    /// </summary>
    private async Task ReadClientAsync(Stream fromClient, ChannelWriter<(byte[] Bytes, Task Release)> upstream)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await fromClient.ReadAsync(buffer, _stop.Token)) > 0)
            {
                var release = Task.CompletedTask;
                if (Volatile.Read(ref _hold) is { } hold)
                {
                    if (_counts(Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 512))))
                    {
                        Interlocked.Increment(ref _heldRequests);
                    }

                    release = hold.Task;
                }

                await upstream.WriteAsync((buffer.AsSpan(0, read).ToArray(), release), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client closed: what it sent is forwarded all the same.
        }
        finally
        {
            upstream.TryComplete();
        }
    }
}
