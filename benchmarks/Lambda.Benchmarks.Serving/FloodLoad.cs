using System.Diagnostics;
using System.Globalization;
using System.Net;
using HdrHistogram;
using Lambda.ServingLayer.Limits;
using Lambda.Shared.Catalog;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.Benchmarks.Serving;

/// <summary>
/// One key floods expensive queries while another sends cheap ones: the cheap key's latency unloaded, under the flood
/// with the per-key limits (<c>Serving:Limits</c>) as shipped, and under the same flood with the limits lifted.
/// Usage: <c>flood [seconds=10] [cheapClients=4] [floodClients=64] [--allocations] [--refusal-hold 00:00:00]</c>; with <c>--allocations</c> each
/// phase also prints the types the server allocated most (<see cref="AllocationSampler"/>).
/// </summary>
internal static class FloodLoad
{

    /// <summary>Limits no single-key capacity benchmark reaches.</summary>
    public static readonly Dictionary<string, string?> LiftedLimits = new()
    {
        ["Serving:Limits:RequestsPerSecond"] = "10000000",
        ["Serving:Limits:Burst"] = "10000000",
        ["Serving:Limits:MaxConcurrentQueries"] = "100000",
        ["Serving:Limits:GroupsPerSecond"] = "1000000000",
        ["Serving:Limits:GroupsBurst"] = "1000000000",
    };

    /// <summary>Cheap queries per second, all cheap clients together.</summary>
    private const int CheapRate = 200;

    // An hour of one country per minute: 60 rows, shared among the cheap clients as any dashboard query is.
    private const string Cheap = "/api/views/revenue_by_country?from=2026-11-25T22:00:00Z&to=2026-11-25T23:00:00Z&filter=country:C1";

    public static async Task RunAsync(string[] args)
    {
        var sampleAllocations = args.Contains("--allocations");
        args = [.. args.Where(a => a != "--allocations")];
        // --refusal-hold 00:00:00 shows the flood with every 429 sent at once (the ablation of Serving:Limits:RefusalHold).
        var holdAt = Array.IndexOf(args, "--refusal-hold");
        var refusalHold = holdAt >= 0 ? TimeSpan.Parse(args[holdAt + 1], CultureInfo.InvariantCulture) : new QueryLimitsOptions().RefusalHold;
        args = holdAt >= 0 ? [.. args[..holdAt], .. args[(holdAt + 2)..]] : args;
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var cheapClients = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
        var floodClients = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 64;
        var data = new ServingData(CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml")));
        Console.WriteLine(
            $"{seconds} s per phase, {cheapClients} cheap clients (key A: an hour of one country per minute, {CheapRate} q/s together), {floodClients} flooding clients "
            + $"(key B: the whole day per minute by country, each a different limit so no answer is shared), {Environment.ProcessorCount} cores");

        var defaults = new QueryLimitsOptions();
        var keys = new Dictionary<string, string?> { ["Serving:ApiKeys:1:Key"] = FloodClient.Key, ["Serving:ApiKeys:1:Scopes:0"] = "query" };
        // The benchmark host lifts the per-key limits for its capacity scenarios; the shipped defaults are set back explicitly.
        var shipped = new Dictionary<string, string?>(keys)
        {
            ["Serving:Limits:RequestsPerSecond"] = defaults.RequestsPerSecond.ToString(CultureInfo.InvariantCulture),
            ["Serving:Limits:Burst"] = defaults.Burst.ToString(CultureInfo.InvariantCulture),
            ["Serving:Limits:MaxConcurrentQueries"] = defaults.MaxConcurrentQueries.ToString(CultureInfo.InvariantCulture),
            ["Serving:Limits:QueuedQueries"] = defaults.QueuedQueries.ToString(CultureInfo.InvariantCulture),
            ["Serving:Limits:GroupsPerSecond"] = defaults.GroupsPerSecond.ToString(CultureInfo.InvariantCulture),
            ["Serving:Limits:GroupsBurst"] = defaults.GroupsBurst.ToString(CultureInfo.InvariantCulture),
            ["Serving:Limits:RefusalHold"] = refusalHold.ToString("c", CultureInfo.InvariantCulture),
        };
        var lifted = keys.Concat(LiftedLimits);

        var baseline = await MeasureAsync(data, shipped, seconds, cheapClients, floodClients: 0, "unloaded", sampleAllocations);
        var limited = await MeasureAsync(data, shipped, seconds, cheapClients, floodClients, "flood, limits as shipped", sampleAllocations);
        var unlimited = await MeasureAsync(data, lifted, seconds, cheapClients, floodClients, "flood, limits lifted", sampleAllocations);
        Console.WriteLine(
            $"cheap p99 under the flood: {limited / baseline:F2}x the unloaded p99 with the shipped limits (target <= 2x: {(limited <= 2 * baseline ? "met" : "NOT met")}), "
            + $"{unlimited / baseline:F2}x without them");
    }

    private static async Task<double> MeasureAsync(
        ServingData data, IEnumerable<KeyValuePair<string, string?>> settings, int seconds, int cheapClients, int floodClients, string phase, bool sampleAllocations)
    {
        await using var app = await HttpLoad.StartAsync(data, settings);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var p99 = await RunPhaseAsync(address, seconds, cheapClients, floodClients, phase, sampleAllocations);
        await app.StopAsync();
        return p99;
    }

    private static async Task<double> RunPhaseAsync(Uri address, int seconds, int cheapClients, int floodClients, string phase, bool sampleAllocations)
    {
        using var cheapHttp = Client(address, HttpLoad.Key, cheapClients);
        for (var i = 0; i < 20; i++)
        {
            using var warm = await cheapHttp.GetAsync(Cheap);
            warm.EnsureSuccessStatusCode();
        }

        using var flood = floodClients > 0 ? await StartFloodAsync(address, seconds, floodClients) : null;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        using var allocations = sampleAllocations ? new AllocationSampler() : null;
        var pauseBefore = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var gcBefore = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        using var sampling = new CancellationTokenSource();
        var pool = SampleThreadPoolAsync(sampling.Token);
        long cheapRefused = 0;
        var histogram = new LongHistogram(TimeStamp.Minutes(10), 3);
        var cheap = Enumerable.Range(0, cheapClients).Select(_ => Task.Run(async () =>
        {
            var local = new LongHistogram(TimeStamp.Minutes(10), 3);
            // Paced like a dashboard, well inside the key's limits: the figure is the latency, not how many fit.
            var interval = (long)(Stopwatch.Frequency * cheapClients / (double)CheapRate);
            var next = Stopwatch.GetTimestamp();
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                next += interval;
                var t0 = Stopwatch.GetTimestamp();
                using var response = await cheapHttp.GetAsync(Cheap);
                await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
                local.RecordValue(Math.Min(Stopwatch.GetTimestamp() - t0, local.HighestTrackableValue));
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref cheapRefused);
                }
                else if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"the cheap key got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }

                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }

            return local;
        })).ToArray();
        foreach (var local in await Task.WhenAll(cheap))
        {
            histogram.Add(local);
        }

        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var pause = GC.GetTotalPauseDuration() - pauseBefore;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var gcs = Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - gcBefore[g]).ToArray();
        await sampling.CancelAsync();
        var (maxPending, maxThreads) = await pool;
        var (answered, refused, other, floodCpuMs) = flood is null ? (0L, 0L, 0L, 0.0) : await FinishFloodAsync(flood);
        double Ms(double percentile) => histogram.GetValueAtPercentile(percentile) * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(
            $"{phase,-26} cheap: {histogram.TotalCount / (double)seconds,5:F0} q/s  p50 {Ms(50),7:F2} ms  p99 {Ms(99),7:F2} ms  max {Ms(100),8:F2} ms  {cheapRefused} refused   "
            + $"flood: {answered / (double)seconds,6:F1} answered/s, {refused / (double)seconds,8:F0} refused (429)/s, {other} other");
        Console.WriteLine(
            $"{string.Empty,-26} CPU: server + cheap client {cpu.TotalSeconds:F1} s, flood client {floodCpuMs / 1000:F1} s in {seconds} s on {Environment.ProcessorCount} cores; "
            + $"server allocated {allocated / 1e6:F0} MB, heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:F0} MB after the last GC, GCs {gcs[0]}/{gcs[1]}/{gcs[2]} (gen 0/1/2), paused {pause.TotalMilliseconds:F0} ms; thread pool: up to {maxThreads} threads, {maxPending} queued items");
        foreach (var (type, bytes) in allocations?.Top(15) ?? [])
        {
            Console.WriteLine($"{string.Empty,-26} allocated ~{bytes / 1e6,8:F1} MB {type}");
        }

        return Ms(99);
    }

    /// <summary>Starts the flooding client in its own process and waits until it is connected and about to send.</summary>
    private static async Task<Process> StartFloodAsync(Uri address, int seconds, int clients)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { typeof(FloodLoad).Assembly.Location, "flood-client", address.ToString(), seconds.ToString(CultureInfo.InvariantCulture), clients.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the flood client did not start");
        var line = await process.StandardOutput.ReadLineAsync();
        if (line != "ready")
        {
            throw new InvalidOperationException($"the flood client said '{line}' instead of 'ready'");
        }

        return process;
    }

    private static async Task<(long Answered, long Refused, long Other, double CpuMs)> FinishFloodAsync(Process flood)
    {
        var last = await flood.StandardOutput.ReadToEndAsync();
        await flood.WaitForExitAsync();
        if (flood.ExitCode != 0)
        {
            throw new InvalidOperationException($"the flood client exited with {flood.ExitCode}: {last}");
        }

        var parts = last.Trim().Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    /// <summary>The most work items queued in, and threads of, the server's thread pool, sampled every 10 ms.</summary>
    private static async Task<(long MaxPending, int MaxThreads)> SampleThreadPoolAsync(CancellationToken cancellationToken)
    {
        long pending = 0;
        var threads = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                pending = Math.Max(pending, ThreadPool.PendingWorkItemCount);
                threads = Math.Max(threads, ThreadPool.ThreadCount);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The phase is over.
        }

        return (pending, threads);
    }

    private static HttpClient Client(Uri address, string key, int connections)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }
}
