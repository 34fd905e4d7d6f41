using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Lambda.Benchmarks.Serving;

/// <summary>
/// The flooding key of the <c>flood</c> benchmark, run as its own process (<c>flood-client address seconds clients</c>)
/// so that its CPU and its thread pool are not the server's: its requests reach the server through the loopback like
/// another machine's would, only its CPU still comes from the same cores. Prints <c>ready</c> once connected, then one
/// line <c>answered refused other cpu-ms</c>.
/// </summary>
internal static class FloodClient
{
    internal const string Key = "bench-flood-key";

    /// <summary>Query parameters of the expensive query: the whole day per minute by country (72,000 rows).</summary>
    internal const string Query = "/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&granularity=minute";

    public static async Task RunAsync(string[] args)
    {
        var address = new Uri(args[1]);
        var seconds = int.Parse(args[2], CultureInfo.InvariantCulture);
        var clients = int.Parse(args[3], CultureInfo.InvariantCulture);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        Console.WriteLine("ready");
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long answered = 0, refused = 0, other = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            // Each request a different limit, so no answer is shared with another.
            var limit = 100_000 - (client * 1_000);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                HttpResponseMessage response;
                try
                {
                    response = await http.GetAsync($"{Query}&limit={limit--}");
                    await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
                }
                catch (HttpRequestException)
                {
                    // Without limits the server times queries out and Kestrel resets slow answers: counted, not fatal.
                    Interlocked.Increment(ref other);
                    continue;
                }

                using var answer = response;
                switch (answer.StatusCode)
                {
                    case HttpStatusCode.OK: Interlocked.Increment(ref answered); break;
                    case HttpStatusCode.TooManyRequests:
                        Interlocked.Increment(ref refused);
                        // A well-behaved client would wait Retry-After; a flood does not, but yields the loop briefly.
                        await Task.Delay(5);
                        break;
                    default: Interlocked.Increment(ref other); break;
                }
            }
        })));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"{answered} {refused} {other} {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds:F0}"));
    }
}
