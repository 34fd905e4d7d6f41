using System.Diagnostics;
using System.Globalization;
using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Recompute;
using Lambda.Benchmarks.Batch;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;
using Lambda.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Recompute throughput over a master dataset next to a plain DuckDB GROUP BY over the same Parquet files.
// Usage: Lambda.Benchmarks.Batch [--events N] [--partitions P] [--per-commit C] [--repeat R] [--parallelism T] [--dir PATH] [--keep] [--verbose] [--compact] [--spread-days D]
// --compact compacts the master dataset (every commit, up to 1,000,000 events per record) before measuring.
// --spread-days D draws event times uniformly over D days (a backfill): the cost model says recompute and compaction
// take time in proportion to rows, so rows/s should hardly move between D = 1 and D = 30.
// --workers N also times the recompute with N workers claiming the run's chunks (view x day) from one chunk store, the
// coordinator and N - 1 helpers in this process, each with --parallelism threads; it prints both medians and checks that
// both published the same days and rows. On 2 cores expect no speed-up: the work is CPU-bound and already parallel.
var settings = Args.Parse(args);
var catalog = CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml"));
var orders = catalog.GetSource("orders");
var root = settings.Directory ?? Path.Combine(Path.GetTempPath(), $"lambda-batch-bench-{Guid.NewGuid():N}");
Console.WriteLine($"Lambda batch recompute benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, dataset {root}");

try
{
    var clock = Stopwatch.StartNew();
    var rows = MasterDatasetSnapshot.Load(root, "orders").Rows;
    if (rows == 0)
    {
        rows = await DatasetGenerator.WriteAsync(root, orders, settings.Events, settings.Partitions, settings.PerCommit, CancellationToken.None, settings.SpreadDays);
        var generated = MasterDatasetSnapshot.Load(root, "orders");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {rows:N0} events in {clock.Elapsed.TotalSeconds:F1} s with the dataset writer ({rows / clock.Elapsed.TotalSeconds / 1e6:F2} M rows/s): {new CommitLog(root, "orders").ReadCommits().Count:N0} commits, {generated.Files.Count:N0} files, {generated.Days.Count} days"));
    }

    if (settings.Compact)
    {
        var commits = new CommitLog(root, "orders").ReadCommits().Count;
        var files = MasterDatasetSnapshot.Load(root, "orders").Files.Count;
        clock.Restart();
        var compaction = await new MasterDatasetCompactor(root, orders).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compaction: {commits:N0} commit records -> {new CommitLog(root, "orders").ReadCommits().Count:N0}, {files:N0} files -> {compaction.FilesAfter:N0} ({compaction.FilesWritten:N0} merged files, {compaction.RowsWritten:N0} rows rewritten) in {clock.Elapsed.TotalSeconds:F1} s = {compaction.RowsWritten / clock.Elapsed.TotalSeconds / 1e6:F2} M rows/s"));
    }

    var snapshot = MasterDatasetSnapshot.Load(root, "orders");
    var bytes = snapshot.Files.Sum(f => new FileInfo(snapshot.GetPath(f)).Length);
    Console.WriteLine($"master dataset: {snapshot.Rows:N0} rows, {snapshot.Files.Count:N0} files ({bytes / 1048576.0:F0} MiB), {snapshot.CommittedEnds.Count} partitions, days {string.Join(", ", snapshot.Days)}");

    var recomputeOptions = Options.Create(new RecomputeOptions { MaxDegreeOfParallelism = settings.Parallelism });
    var storage = Options.Create(new BatchStorageOptions { DatasetRoot = root });
    RecomputeEngine Engine(ChunkWorker? chunks = null, IRecomputeChunkDispatcher? dispatcher = null) => new(
        catalog,
        storage,
        recomputeOptions,
        new ArchiveEndBoundaries(),
        new ManifestStore(root),
        new BatchViewWriter(),
        settings.Verbose
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)).CreateLogger<RecomputeEngine>()
            : NullLogger<RecomputeEngine>.Instance,
        TimeProvider.System,
        chunks: chunks,
        dispatcher: dispatcher);
    var engine = Engine();
    var request = new RecomputeRequest { Mode = RecomputeMode.Full, Views = ["revenue_by_country", "orders_by_status"] };
    // Exactly the snapshot's files (hour files and flush files alike), as the ad hoc SQL reads them.
    var glob = "[" + string.Join(", ", snapshot.Files.Select(f => $"'{snapshot.GetPath(f)}'")) + "]";

    // Warm-up (JIT, page cache), not measured.
    await engine.RunAsync(request, null, CancellationToken.None);
    DuckDbBaseline.Run(glob, withDistinct: false);

    var engineTimes = new List<double>();
    var engineCpu = new List<double>();
    var duckTimes = new List<double>();
    var duckCpu = new List<double>();
    var duckDistinctTimes = new List<double>();
    var process = Process.GetCurrentProcess();
    double Cpu()
    {
        process.Refresh();
        return process.TotalProcessorTime.TotalSeconds;
    }

    RecomputeResult? last = null;
    Dictionary<string, Numbers>? duckResults = null;
    for (var i = 0; i < settings.Repeat; i++)
    {
        var cpu = Cpu();
        clock.Restart();
        last = await engine.RunAsync(request, null, CancellationToken.None);
        engineTimes.Add(clock.Elapsed.TotalSeconds);
        engineCpu.Add(Cpu() - cpu);
        cpu = Cpu();
        var (elapsed, results) = DuckDbBaseline.Run(glob, withDistinct: false);
        duckTimes.Add(elapsed.TotalSeconds);
        duckCpu.Add(Cpu() - cpu);
        duckResults = results;
        duckDistinctTimes.Add(DuckDbBaseline.Run(glob, withDistinct: true).Elapsed.TotalSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  run {i + 1}: recompute {engineTimes[^1]:F2} s (cpu {engineCpu[^1]:F2} s), DuckDB {duckTimes[^1]:F2} s (cpu {duckCpu[^1]:F2} s), DuckDB + approx_count_distinct {duckDistinctTimes[^1]:F2} s"));
    }

    // Same numbers? Every group of both views: count, sum, max (revenue) and the avg state's count and sum (status).
    var manifest = (await new ManifestStore(root).LoadAsync(CancellationToken.None))!;
    var reader = new BatchViewReader(root);
    var ours = new Dictionary<string, Numbers>(StringComparer.Ordinal);
    var avgMismatches = 0;
    foreach (var name in request.Views)
    {
        var view = catalog.GetView(name);
        foreach (var group in await BatchViewContents.ReadGroupsAsync(reader, manifest.FindView(name)!, view))
        {
            var count = group.GetValue(0).AsLong();
            var sum = group.GetValue(1).AsDecimal();
            decimal? max = name == "revenue_by_country" ? group.GetValue("biggest").AsDecimal() : null;
            if (name == "orders_by_status" && group.States[view.GetMeasure("avg_amount").Index] is ExactAvgState avg
                && (avg.Count != count || DecimalScaling.FromUnscaled(avg.UnscaledSum, 2) != sum))
            {
                avgMismatches++;
            }

            ours[Numbers.Key(name, group.BucketStartMilliseconds, group.Dimensions[0].AsString())] = new Numbers(count, sum, max);
        }
    }

    var mismatches = ours.Count(o => !duckResults!.TryGetValue(o.Key, out var d) || d != o.Value) + duckResults!.Keys.Count(k => !ours.ContainsKey(k)) + avgMismatches;
    var engineMedian = Median(engineTimes);
    var duckMedian = Median(duckTimes);
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
        rows read per run:          {last!.RowsRead:N0} ({snapshot.Files.Count:N0} files), batch-view rows written: {last.RowsWritten:N0}
        recompute (2 views, incl. HyperLogLog, Parquet output, manifest): median {engineMedian:F2} s = {last.RowsRead / engineMedian / 1e6:F2} M rows/s
        DuckDB plain GROUP BY (count/sum/max, same files):               median {duckMedian:F2} s = {snapshot.Rows / duckMedian / 1e6:F2} M rows/s
        DuckDB GROUP BY + approx_count_distinct(user_id):                median {Median(duckDistinctTimes):F2} s
        recompute / DuckDB plain: {engineMedian / duckMedian:F2}x wall (target <= 2x), best runs {engineTimes.Min() / duckTimes.Min():F2}x, CPU time {Median(engineCpu) / Median(duckCpu):F2}x
        numbers identical: {(mismatches == 0 ? "yes" : "NO")} ({ours.Count:N0} groups compared, {mismatches} differences)
        """));
    if (settings.Workers is { } workers)
    {
        var shared = new ChunkWorker(
            new InMemoryRecomputeChunkStore(TimeProvider.System),
            new ChunkExecutor(catalog, storage, recomputeOptions, new BatchViewWriter()),
            recomputeOptions,
            TimeProvider.System,
            NullLogger<ChunkWorker>.Instance);
        var helpers = new InProcessChunkDispatcher(shared, workers - 1);
        var several = Engine(shared, helpers);
        await several.RunAsync(request, null, CancellationToken.None);
        await helpers.DrainAsync();
        // Alternating with one-worker runs, so both see the same machine load (shared machines drift by the minute).
        var oneTimes = new List<double>();
        var oneCpu = new List<double>();
        var severalTimes = new List<double>();
        var severalCpu = new List<double>();
        RecomputeResult? severalLast = null;
        for (var i = 0; i < settings.Repeat; i++)
        {
            var cpu = Cpu();
            clock.Restart();
            await engine.RunAsync(request, null, CancellationToken.None);
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

        var sameDays = severalLast!.Days.Select(d => (d.View, d.Day, d.Rows)).Order().SequenceEqual(last.Days.Select(d => (d.View, d.Day, d.Rows)).Order());
        mismatches += sameDays ? 0 : 1;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            recompute with 1 worker: median {Median(oneTimes):F2} s (cpu {Median(oneCpu):F2} s); with {workers} workers: median {Median(severalTimes):F2} s (cpu {Median(severalCpu):F2} s); speed-up {Median(oneTimes) / Median(severalTimes):F2}x on {Environment.ProcessorCount} cores, {last.Days.Count} view-days
            same days and rows with {workers} workers: {(sameDays ? "yes" : "NO")}
            """));
    }

    return mismatches == 0 ? 0 : 1;
}
finally
{
    if (!settings.Keep && settings.Directory is null && Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
