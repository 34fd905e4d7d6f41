using System.Diagnostics;
using System.Globalization;
using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Lookups;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// <c>--workers N</c>: the recompute with one worker and with N workers claiming the run's chunks (view × day) from one
/// chunk store, the coordinator and N - 1 helpers in this process (<see cref="InProcessChunkDispatcher"/>), each with
/// <c>--parallelism</c> threads. Runs alternate, so both see the same machine load; it prints both medians (wall and CPU)
/// and checks that both published the same days and rows. On 2 cores expect no speed-up: one worker already keeps both
/// cores busy, the gain needs workers on other machines.
/// </summary>
internal static class WorkersBenchmark
{
    /// <summary>Measures and prints; returns the number of differences between the two runs' results (0 or 1).</summary>
    public static async Task<int> RunAsync(LambdaCatalog catalog, string root, Args settings, RecomputeRequest request, int workers)
    {
        var options = Options.Create(settings.RecomputeOptions);
        var storage = Options.Create(new BatchStorageOptions { DatasetRoot = root });
        var lookups = new FileLookupStore(root, TimeProvider.System);
        var shared = new ChunkWorker(
            new InMemoryRecomputeChunkStore(TimeProvider.System),
            new ChunkExecutor(catalog, storage, options, new BatchViewWriter(), lookups),
            options,
            TimeProvider.System,
            NullLogger<ChunkWorker>.Instance);
        var helpers = new InProcessChunkDispatcher(shared, workers - 1);
        RecomputeEngine Engine(ChunkWorker? chunks, IRecomputeChunkDispatcher? dispatcher) => new(
            catalog, storage, options, new ArchiveEndBoundaries(), new ManifestStore(root), new BatchViewWriter(),
            NullLogger<RecomputeEngine>.Instance, TimeProvider.System, lookups: lookups, chunks: chunks, dispatcher: dispatcher);
        var one = Engine(null, null);
        var several = Engine(shared, helpers);
        await several.RunAsync(request, null, CancellationToken.None);
        await helpers.DrainAsync();

        var process = Process.GetCurrentProcess();
        double Cpu()
        {
            process.Refresh();
            return process.TotalProcessorTime.TotalSeconds;
        }

        var clock = new Stopwatch();
        var (oneTimes, oneCpu, severalTimes, severalCpu) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        RecomputeResult? oneLast = null, severalLast = null;
        for (var i = 0; i < settings.Repeat; i++)
        {
            var cpu = Cpu();
            clock.Restart();
            oneLast = await one.RunAsync(request, null, CancellationToken.None);
            oneTimes.Add(clock.Elapsed.TotalSeconds);
            oneCpu.Add(Cpu() - cpu);
            cpu = Cpu();
            clock.Restart();
            severalLast = await several.RunAsync(request, null, CancellationToken.None);
            await helpers.DrainAsync();
            severalTimes.Add(clock.Elapsed.TotalSeconds);
            severalCpu.Add(Cpu() - cpu);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {i + 1}: 1 worker {oneTimes[^1]:F2} s (cpu {oneCpu[^1]:F2} s), {workers} workers {severalTimes[^1]:F2} s (cpu {severalCpu[^1]:F2} s)"));
        }

        var sameDays = severalLast!.Days.Select(d => (d.View, d.Day, d.Rows)).Order().SequenceEqual(oneLast!.Days.Select(d => (d.View, d.Day, d.Rows)).Order());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            recompute with 1 worker: median {Medians.Of(oneTimes):F2} s (cpu {Medians.Of(oneCpu):F2} s); with {workers} workers: median {Medians.Of(severalTimes):F2} s (cpu {Medians.Of(severalCpu):F2} s); speed-up {Medians.Of(oneTimes) / Medians.Of(severalTimes):F2}x on {Environment.ProcessorCount} cores, {oneLast.Days.Count} view-days
            same days and rows with {workers} workers: {(sameDays ? "yes" : "NO")}
            """));
        return sameDays ? 0 : 1;
    }
}
