using System.Net;
using System.Text;

namespace Lambda.Shared.Tests.ClickHouse;

/// <summary>An HTTP handler that answers from a script and records what it was sent.</summary>
internal sealed class StubHandler(Func<StubHandler.Request, int, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly List<Request> _requests = [];

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static HttpResponseMessage Text(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var recorded = new Request(
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            request.Content?.Headers.ContentEncoding.ToArray() ?? [],
            body);
        int attempt;
        lock (_requests)
        {
            _requests.Add(recorded);
            attempt = _requests.Count;
        }

        return await respond(recorded, attempt, cancellationToken);
    }

    internal sealed record Request(Uri Uri, IReadOnlyDictionary<string, string> Headers, string[] ContentEncoding, byte[] Body)
    {
        public string BodyText => Encoding.UTF8.GetString(Body);

        public string? Parameter(string name)
        {
            foreach (var pair in Uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (Uri.UnescapeDataString(pair[..eq]) == name)
                {
                    return Uri.UnescapeDataString(pair[(eq + 1)..]);
                }
            }

            return null;
        }
    }
}
