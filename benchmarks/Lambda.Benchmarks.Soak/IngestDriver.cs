using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Lambda.Benchmarks.Soak;

/// <summary>
/// Sends orders to <c>POST /api/events/orders</c> at a steady rate in requests of <see cref="SoakSettings.BatchSize"/>,
/// open loop (a slow answer does not delay the next request) up to <see cref="SoakSettings.MaxInFlight"/> requests. A 503
/// with Retry-After pauses every sender for that long and sends the same request again; the pacing then restarts from
/// the end of the pause instead of catching up, as a producer that honours back-pressure would.
/// </summary>
internal sealed class IngestDriver(HttpClient http, SoakSettings settings, OrderGenerator generator, SoakOracle oracle, LatencyRecorder latencies, TextWriter log)
{
    private long _accepted;
    private long _rejected;
    private long _refused;
    private long _uncertain;
    private long _failed;
    private long _pausedUntil;

    public IngestTotals Totals => new(
        Interlocked.Read(ref _accepted), Interlocked.Read(ref _rejected), Interlocked.Read(ref _refused), Interlocked.Read(ref _uncertain), Interlocked.Read(ref _failed));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(settings.BatchSize / (double)settings.Rate);
        using var slots = new SemaphoreSlim(settings.MaxInFlight);
        var pending = new List<Task>();
        var clock = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        while (clock.Elapsed < settings.Duration && !cancellationToken.IsCancellationRequested)
        {
            if (await WaitOutPauseAsync(cancellationToken).ConfigureAwait(false))
            {
                next = clock.Elapsed;
            }

            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            var batch = Enumerable.Range(0, settings.BatchSize).Select(_ => generator.Next()).ToArray();
            pending.Add(SendAsync(batch, slots, cancellationToken));
            pending.RemoveAll(t => t.IsCompleted);
            next += interval;
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async Task SendAsync(SoakOrder[] batch, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            var body = "[" + string.Join(",", batch.Select(o => o.Json)) + "]";
            while (true)
            {
                await WaitOutPauseAsync(cancellationToken).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.Endpoints.Serving, "api/events/orders"))
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Api-Key", settings.Endpoints.IngestKey);
                var started = Stopwatch.GetTimestamp();
                HttpResponseMessage response;
                try
                {
                    response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException ex)
                {
                    await Uncertain(batch, ex.Message).ConfigureAwait(false);
                    return;
                }
                catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    await Uncertain(batch, $"no answer in time ({ex.Message})").ConfigureAwait(false);
                    return;
                }

                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta is { } retryAfter)
                    {
                        Interlocked.Increment(ref _refused);
                        Pause(retryAfter);
                        continue;
                    }

                    latencies.Record(Stopwatch.GetElapsedTime(started));
                    await Settle(batch, response, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task Settle(SoakOrder[] batch, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            if ((int)response.StatusCode is >= 400 and < 500)
            {
                Interlocked.Add(ref _failed, batch.Length);
                await log.WriteLineAsync($"ingest refused {batch.Length} events with {(int)response.StatusCode}: {text}").ConfigureAwait(false);
            }
            else
            {
                await Uncertain(batch, $"{(int)response.StatusCode}: {text}").ConfigureAwait(false);
            }

            return;
        }

        using var answer = JsonDocument.Parse(text);
        var rejected = answer.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("index").GetInt32()).ToHashSet();
        for (var i = 0; i < batch.Length; i++)
        {
            if (!rejected.Contains(i))
            {
                oracle.Add(batch[i].View, batch[i].Group, batch[i].Amount);
            }
        }

        Interlocked.Add(ref _accepted, batch.Length - rejected.Count);
        Interlocked.Add(ref _rejected, rejected.Count);
    }

    private async Task Uncertain(SoakOrder[] batch, string why)
    {
        Interlocked.Add(ref _uncertain, batch.Length);
        await log.WriteLineAsync($"ingest of {batch.Length} events has an unknown outcome: {why}").ConfigureAwait(false);
    }

    private void Pause(TimeSpan retryAfter)
    {
        var until = Stopwatch.GetTimestamp() + (long)(retryAfter.TotalSeconds * Stopwatch.Frequency);
        long seen;
        do
        {
            seen = Interlocked.Read(ref _pausedUntil);
        }
        while (until > seen && Interlocked.CompareExchange(ref _pausedUntil, until, seen) != seen);
    }

    /// <summary>Waits while a Retry-After pause lasts; true when it waited.</summary>
    private async Task<bool> WaitOutPauseAsync(CancellationToken cancellationToken)
    {
        var waited = false;
        while (Interlocked.Read(ref _pausedUntil) - Stopwatch.GetTimestamp() is var left and > 0)
        {
            waited = true;
            await Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
        }

        return waited;
    }
}
