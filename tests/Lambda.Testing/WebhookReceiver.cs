using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Lambda.Testing;

/// <summary>
/// A real HTTP endpoint on loopback (HttpListener) that records every request body and answers with <see cref="Status"/>
/// (after <see cref="Delay"/>): the alert webhook's receiver in the serving layer's tests and the platform's stack tests.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<(string ContentType, string Body)> _received = Channel.CreateUnbounded<(string, string)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<string> _bodies = [];

    public WebhookReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/hooks/alerts/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public HttpStatusCode Status { get; set; } = HttpStatusCode.NoContent;

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public int Count { get; private set; }

    /// <summary>Every body received so far, in order (whether or not <see cref="NextAsync"/> took it).</summary>
    public IReadOnlyList<string> Bodies
    {
        get
        {
            lock (_bodies)
            {
                return _bodies.ToArray();
            }
        }
    }

    /// <summary>The next request received (content type and body), waiting up to 10 s.</summary>
    public async Task<(string ContentType, string Body)> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>True when a request is waiting that <see cref="NextAsync"/> has not taken.</summary>
    public bool HasPending => _received.Reader.TryPeek(out _);

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var context = await _listener.GetContextAsync();
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                Count++;
                lock (_bodies)
                {
                    _bodies.Add(body);
                }

                await _received.Writer.WriteAsync((context.Request.ContentType ?? string.Empty, body));
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, _stop.Token);
                }

                context.Response.StatusCode = (int)Status;
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException && _stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _loop;
        _stop.Dispose();
    }
}
