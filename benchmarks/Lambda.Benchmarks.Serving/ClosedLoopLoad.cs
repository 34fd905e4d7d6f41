using System.Diagnostics;
using System.Net;
using HdrHistogram;

namespace Lambda.Benchmarks.Serving;

/// <summary>
/// A closed-loop HTTP load: <c>concurrency</c> clients each send the next request as soon as the previous
/// answer is read, for a fixed duration, after a warm-up; prints requests/s and latency percentiles.
/// </summary>
internal static class ClosedLoopLoad
{
    /// <summary>Runs the load and prints one line of figures; any unexpected status aborts the run.</summary>
    public static async Task RunAsync(
        string name, Func<Task<HttpResponseMessage>> send, HttpStatusCode expected, TimeSpan duration, int concurrency, int warmUpRequests)
    {
        for (var i = 0; i < warmUpRequests; i++)
        {
            using var warm = await send();
            if (warm.StatusCode != expected)
            {
                throw new InvalidOperationException($"{name}: expected {expected}, got {warm.StatusCode}: {await warm.Content.ReadAsStringAsync()}");
            }
        }

        var histogram = new LongHistogram(TimeStamp.Minutes(1), 3);
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var local = new LongHistogram(TimeStamp.Minutes(1), 3);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var t0 = Stopwatch.GetTimestamp();
                using var response = await send();
                // Read to the last byte through a pooled buffer: the client should not cost the server's CPU more than it must.
                await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
                local.RecordValue(Stopwatch.GetTimestamp() - t0);
                if (response.StatusCode != expected)
                {
                    throw new InvalidOperationException($"{name}: expected {expected}, got {response.StatusCode}");
                }
            }

            return local;
        })).ToArray();
        foreach (var local in await Task.WhenAll(workers))
        {
            histogram.Add(local);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        double Ms(double percentile) => histogram.GetValueAtPercentile(percentile) * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(
            $"{name,-70} {histogram.TotalCount / elapsed,9:F0} req/s   p50 {Ms(50),8:F2} ms   p90 {Ms(90),8:F2} ms   p99 {Ms(99),8:F2} ms   max {histogram.GetMaxValue() * 1000.0 / Stopwatch.Frequency,8:F2} ms");
    }
}
