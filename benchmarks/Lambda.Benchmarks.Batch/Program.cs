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
// Usage: Lambda.Benchmarks.Batch [--events N] [--partitions P] [--per-commit C] [--repeat R] [--parallelism T] [--dir PATH] [--keep] [--verbose] [--compact] [--spread-days D] [--workers N [--s3]] [--clickhouse-load D] [--days-per-claim N]
// --compact compacts the master dataset (every commit, up to 1,000,000 events per record) before measuring.
// --spread-days D draws event times uniformly over D days (a backfill): the cost model says recompute and compaction
// take time in proportion to rows, so rows/s should hardly move between D = 1 and D = 30.
// --clickhouse-load D times the ClickHouse load and exact-view publish after a recompute of D days (ClickHouseLoadBenchmark),
// --events then meaning orders per day (default 20,000).
// --workers N --s3 measures one against N workers on the stack's object storage (S3WorkersBenchmark; needs 'scripts/lambda up').
// --lookups measures the default catalog's lookup views instead (LookupViewsBenchmark): orders and payments, joined with
// countries and fx_rates, against DuckDB doing the same joins.
var settings = Args.Parse(args);
var catalog = CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml"));
if (settings.ClickHouseLoadDays is { } loadDays)
{
    return await ClickHouseLoadBenchmark.RunAsync(settings, catalog, loadDays);
}

if (settings.Lookups)
{
    return await LookupViewsBenchmark.RunAsync(settings, catalog);
}
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
            $"compaction: {commits:N0} commit records -> {new CommitLog(root, "orders").ReadCommits().Count:N0}, {files:N0} files -> {compaction.FilesAfter:N0} ({compaction.FilesRead:N0} files read, {compaction.FilesWritten:N0} day files written, {compaction.RowsWritten:N0} rows rewritten) in {clock.Elapsed.TotalSeconds:F1} s = {compaction.RowsWritten / clock.Elapsed.TotalSeconds / 1e6:F2} M rows/s"));
    }

    var snapshot = MasterDatasetSnapshot.Load(root, "orders");
    var bytes = snapshot.Files.Sum(f => new FileInfo(snapshot.GetPath(f)).Length);
    Console.WriteLine($"master dataset: {snapshot.Rows:N0} rows, {snapshot.Files.Count:N0} files ({bytes / 1048576.0:F0} MiB), {snapshot.CommittedEnds.Count} partitions, days {string.Join(", ", snapshot.Days)}");

    var engine = RecomputeEngines.Create(catalog, root, settings);
    var request = new RecomputeRequest { Mode = RecomputeMode.Full, Views = ["revenue_by_country", "orders_by_status"] };
    // Exactly the snapshot's files (day, hour and flush files alike), as the ad hoc SQL reads them.
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
    var engineMedian = Medians.Of(engineTimes);
    var duckMedian = Medians.Of(duckTimes);
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
        rows read per run:          {last!.RowsRead:N0} ({snapshot.Files.Count:N0} files), batch-view rows written: {last.RowsWritten:N0}
        recompute (2 views, incl. HyperLogLog, Parquet output, manifest): median {engineMedian:F2} s = {last.RowsRead / engineMedian / 1e6:F2} M rows/s
        DuckDB plain GROUP BY (count/sum/max, same files):               median {duckMedian:F2} s = {snapshot.Rows / duckMedian / 1e6:F2} M rows/s
        DuckDB GROUP BY + approx_count_distinct(user_id):                median {Medians.Of(duckDistinctTimes):F2} s
        recompute / DuckDB plain: {engineMedian / duckMedian:F2}x wall (target <= 2x), best runs {engineTimes.Min() / duckTimes.Min():F2}x, CPU time {Medians.Of(engineCpu) / Medians.Of(duckCpu):F2}x
        numbers identical: {(mismatches == 0 ? "yes" : "NO")} ({ours.Count:N0} groups compared, {mismatches} differences)
        """));

    if (settings.Workers is { } workers)
    {
        mismatches += settings.S3
            ? await S3WorkersBenchmark.RunAsync(catalog, root, settings, request, workers)
            : await WorkersBenchmark.RunAsync(catalog, root, settings, request, workers);
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
