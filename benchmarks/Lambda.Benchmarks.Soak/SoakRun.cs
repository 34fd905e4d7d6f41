using System.Diagnostics;
using System.Globalization;

namespace Lambda.Benchmarks.Soak;

/// <summary>
/// The soak: sends for <see cref="SoakSettings.Duration"/>, triggers a recompute every <see cref="SoakSettings.RecomputeEvery"/>,
/// samples every <see cref="SoakSettings.SampleEvery"/>; then waits until the query API counts every accepted event exactly
/// once (speed path), runs a recompute and checks again (batch view + speed deltas), prints the table and the verdict.
/// </summary>
internal sealed class SoakRun(SoakSettings settings, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var runTag = Guid.NewGuid().ToString("N")[..6];
        var started = DateTimeOffset.UtcNow;
        var generator = new OrderGenerator(runTag, settings.Spread, TimeProvider.System);
        var oracle = new SoakOracle();
        var latencies = new LatencyRecorder();
        var driver = new IngestDriver(http, settings, generator, oracle, latencies, output);
        var sampler = new PlatformSampler(http, settings.Endpoints, output);
        var recomputes = new RecomputeClient(http, settings.Endpoints, output);
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"soak {runTag}: {settings.Rate} events/s for {settings.Duration}, event times spread over {settings.Spread}, {settings.BatchSize} per request, recompute every {settings.RecomputeEvery}, against {settings.Endpoints.Serving}")).ConfigureAwait(false);

        var first = await sampler.SampleAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<SoakRow>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = SampleAsync(rows, driver, sampler, latencies, first, Stopwatch.StartNew(), stop.Token);
        var recomputing = RecomputeLoopAsync(recomputes, stop.Token);
        await driver.RunAsync(cancellationToken).ConfigureAwait(false);
        var sent = driver.Totals;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"sending done: {sent.Accepted:N0} events accepted; waiting for the pipeline to count them")).ConfigureAwait(false);

        var counter = new ApiCounter(http, settings.Endpoints, new DateTimeOffset((started - settings.Spread).UtcDateTime.Date, TimeSpan.Zero), new DateTimeOffset(DateTime.UtcNow.Date.AddDays(2), TimeSpan.Zero));
        var verdict = new SoakVerdict();
        var caughtUp = await ExactlyOnceAsync(counter, generator, oracle, settings.SettleTimeout, cancellationToken).ConfigureAwait(false);
        verdict.Check(caughtUp.Mismatches, "after sending");
        var recomputeStarted = DateTimeOffset.UtcNow;
        string? finalRun = null;
        if (await recomputes.TriggerAsync(cancellationToken).ConfigureAwait(false))
        {
            finalRun = await recomputes.WaitForRunAsync(recomputeStarted, settings.SettleTimeout, cancellationToken).ConfigureAwait(false);
        }

        verdict.Require(finalRun is "succeeded" or "nothing_to_do", $"the final recompute ended {finalRun ?? "not in time"}");
        var afterRecompute = await ExactlyOnceAsync(counter, generator, oracle, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        verdict.Check(afterRecompute.Mismatches, "after the final recompute");
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(sampling, recomputing).ConfigureAwait(false);
        rows.Add(Row(driver, latencies, await sampler.SampleAsync(cancellationToken).ConfigureAwait(false), rows.LastOrDefault()?.Platform ?? first, TimeSpan.FromSeconds(Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds)), rows));

        output.WriteLine();
        SoakTable.Print(rows, output);
        output.WriteLine();
        verdict.Judge(rows, sent, settings);
        var total = latencies.Total();
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"sent {sent.Accepted:N0} events ({sent.Refused:N0} requests refused with 503 and sent again); ingest p50 {SoakTable.Number(total.P50, "0.0")} ms, p99 {SoakTable.Number(total.P99, "0.0")} ms; " +
            $"API {(caughtUp.Mismatches.Count == 0 ? "exact" : "still not exact")} {SoakTable.Number(caughtUp.Elapsed.TotalSeconds, "0")} s after sending ended, " +
            $"{(afterRecompute.Mismatches.Count == 0 ? "exact" : "not exact")} after the final recompute ({finalRun ?? "none"}); " +
            $"max speed lag {SoakTable.Number(rows.Max(r => r.Platform.SpeedLag))}, max archiver lag {SoakTable.Number(rows.Max(r => r.Platform.ArchiverLag))}, " +
            $"dataset files {SoakTable.Number(first.DatasetFiles)} -> {SoakTable.Number(rows[^1].Platform.DatasetFiles)}, max files per flush {SoakTable.Number(rows.Max(r => r.FilesPerFlush), "0.0")}, " +
            $"max RSS {string.Join(", ", SoakEndpoints.Services.Select(s => $"{s} {SoakTable.Number(rows.Max(r => r.Platform.RssMiB.GetValueOrDefault(s)))} MiB"))}")).ConfigureAwait(false);
        await output.WriteLineAsync(verdict.Line).ConfigureAwait(false);
        return verdict.Passed ? 0 : 1;
    }

    private async Task<(IReadOnlyList<string> Mismatches, TimeSpan Elapsed)> ExactlyOnceAsync(
        ApiCounter counter, OrderGenerator generator, SoakOracle oracle, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<string> mismatches = [];
        do
        {
            try
            {
                var all = new List<string>();
                foreach (var view in SoakView.All)
                {
                    all.AddRange(await counter.MismatchesAsync(view, generator.Groups(view), oracle.Of(view), cancellationToken).ConfigureAwait(false));
                }

                mismatches = all;
            }
            catch (HttpRequestException ex)
            {
                mismatches = [ex.Message];
            }

            if (mismatches.Count == 0)
            {
                return (mismatches, clock.Elapsed);
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
        while (clock.Elapsed < timeout);
        return (mismatches, clock.Elapsed);
    }

    private async Task SampleAsync(List<SoakRow> rows, IngestDriver driver, PlatformSampler sampler, LatencyRecorder latencies, PlatformSample first, Stopwatch clock, CancellationToken cancellationToken)
    {
        var previous = first;
        using var timer = new PeriodicTimer(settings.SampleEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var sample = await sampler.SampleAsync(cancellationToken).ConfigureAwait(false);
                lock (rows)
                {
                    rows.Add(Row(driver, latencies, sample, previous, clock.Elapsed, rows));
                }

                previous = sample;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The checks are over: the last row is taken by the caller.
        }
    }

    private static SoakRow Row(IngestDriver driver, LatencyRecorder latencies, PlatformSample sample, PlatformSample previous, TimeSpan elapsed, List<SoakRow> rows)
    {
        var totals = driver.Totals;
        var accepted = totals.Accepted - rows.Sum(r => r.Accepted);
        var refused = totals.Refused - rows.Sum(r => r.Refused);
        var (p50, p99) = latencies.TakeWindow();
        double? filesPerFlush = sample.FilesWritten - previous.FilesWritten is { } files && sample.Flushes - previous.Flushes is { } flushes && flushes > 0
            ? files / flushes
            : null;
        return new SoakRow(elapsed, accepted, refused, p50, p99, sample, filesPerFlush);
    }

    private async Task RecomputeLoopAsync(RecomputeClient recomputes, CancellationToken cancellationToken)
    {
        if (settings.RecomputeEvery <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.RecomputeEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await output.WriteLineAsync($"{DateTime.UtcNow:HH:mm:ss} triggering a recompute").ConfigureAwait(false);
                await recomputes.TriggerAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Sending and the checks are over.
        }
    }
}
