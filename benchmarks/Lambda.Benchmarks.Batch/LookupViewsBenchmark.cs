using System.Diagnostics;
using System.Globalization;
using Lambda.BatchLayer.BatchViews;
using Lambda.Shared.Batch;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Recompute;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Lambda.Testing;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// <c>--lookups</c>: a full recompute of the default catalog's lookup views, <c>revenue_by_region</c> (orders joined with
/// <c>countries</c>) and <c>payments_volume_eur</c> (payments joined with <c>fx_rates</c> at the rate valid on the payment's
/// day), next to DuckDB computing the same joins and aggregations over the same Parquet files
/// (<see cref="DuckDbLookupBaseline"/>); then every group of both is compared. Orders: <c>--events</c>; payments: a
/// quarter of that. The lookups are published into the dataset's store as the <c>lookup</c> command would.
/// </summary>
internal static class LookupViewsBenchmark
{
    private static readonly string[] Views = ["revenue_by_region", "payments_volume_eur"];

    public static async Task<int> RunAsync(Args settings, Catalog catalog)
    {
        var root = settings.Directory ?? Path.Combine(Path.GetTempPath(), $"lambda-batch-lookup-bench-{Guid.NewGuid():N}");
        Console.WriteLine($"Lambda batch recompute of the lookup views: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, dataset {root}");
        try
        {
            var clock = Stopwatch.StartNew();
            if (MasterDatasetSnapshot.Load(root, "orders").Rows == 0)
            {
                await DatasetGenerator.WriteAsync(root, catalog.GetSource("orders"), settings.Events, settings.Partitions, settings.PerCommit, CancellationToken.None);
            }

            if (MasterDatasetSnapshot.Load(root, "payments").Rows == 0)
            {
                await PaymentDatasetGenerator.WriteAsync(root, catalog.GetSource("payments"), settings.Events / 4, settings.Partitions, settings.PerCommit, CancellationToken.None);
            }

            await PublishAsync(catalog, root, "countries", BenchmarkReferenceData.CountriesCsv);
            await PublishAsync(catalog, root, "fx_rates", BenchmarkReferenceData.FxRatesCsv);
            var orders = MasterDatasetSnapshot.Load(root, "orders");
            var payments = MasterDatasetSnapshot.Load(root, "payments");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"master dataset ready in {clock.Elapsed.TotalSeconds:F1} s: orders {orders.Rows:N0} rows in {orders.Files.Count:N0} files, payments {payments.Rows:N0} rows in {payments.Files.Count:N0} files, days {string.Join(", ", orders.Days)}"));

            var engine = RecomputeEngines.Create(catalog, root, settings);
            var request = new RecomputeRequest { Mode = RecomputeMode.Full, Views = Views };
            var ordersFiles = Files(orders);
            var paymentsFiles = Files(payments);

            // Warm-up (JIT, page cache), not measured.
            await engine.RunAsync(request, null, CancellationToken.None);
            DuckDbLookupBaseline.Run(ordersFiles, paymentsFiles);

            var engineTimes = new List<double>();
            var duckTimes = new List<double>();
            RecomputeResult? last = null;
            Dictionary<string, Numbers>? duckResults = null;
            for (var i = 0; i < settings.Repeat; i++)
            {
                clock.Restart();
                last = await engine.RunAsync(request, null, CancellationToken.None);
                engineTimes.Add(clock.Elapsed.TotalSeconds);
                var (elapsed, results) = DuckDbLookupBaseline.Run(ordersFiles, paymentsFiles);
                duckTimes.Add(elapsed.TotalSeconds);
                duckResults = results;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {i + 1}: recompute {engineTimes[^1]:F2} s, DuckDB joins {duckTimes[^1]:F2} s"));
            }

            var ours = await ReadViewsAsync(catalog, root);
            var differences = ours.Where(o => !duckResults!.TryGetValue(o.Key, out var d) || d != o.Value)
                .Select(o => $"{o.Key}: recompute {o.Value}, DuckDB {(duckResults!.TryGetValue(o.Key, out var d) ? d.ToString() : "none")}")
                .Concat(duckResults!.Where(d => !ours.ContainsKey(d.Key)).Select(d => $"{d.Key}: recompute none, DuckDB {d.Value}"))
                .ToList();
            var mismatches = differences.Count;
            foreach (var difference in differences.Take(5))
            {
                Console.WriteLine($"  differs: {difference}");
            }

            var engineMedian = Medians.Of(engineTimes);
            var duckMedian = Medians.Of(duckTimes);
            var rows = orders.Rows + payments.Rows;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                rows read per run:          {last!.RowsRead:N0} (orders {orders.Rows:N0}, payments {payments.Rows:N0}), batch-view rows written: {last.RowsWritten:N0}
                recompute (revenue_by_region incl. HyperLogLog, payments_volume_eur; joins, Parquet output, manifest): median {engineMedian:F2} s = {rows / engineMedian / 1e6:F2} M rows/s
                DuckDB LEFT JOIN countries + ASOF LEFT JOIN fx_rates, GROUP BY (count/sum, same files):       median {duckMedian:F2} s = {rows / duckMedian / 1e6:F2} M rows/s
                recompute / DuckDB: {engineMedian / duckMedian:F2}x wall (target <= 2x), best runs {engineTimes.Min() / duckTimes.Min():F2}x
                numbers identical: {(mismatches == 0 ? "yes" : "NO")} ({ours.Count:N0} groups compared, {mismatches} differences)
                """));
            return mismatches == 0 ? 0 : 1;
        }
        finally
        {
            if (!settings.Keep && settings.Directory is null && Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static async Task PublishAsync(Catalog catalog, string root, string name, string csv)
    {
        var store = new FileLookupStore(root, TimeProvider.System);
        if (await store.CurrentVersionAsync(name, CancellationToken.None) is null && catalog.TryGetLookup(name, out var lookup))
        {
            await store.PublishAsync(lookup, LookupRowsReader.FromCsv(lookup, csv), CancellationToken.None);
        }
    }

    /// <summary>Exactly the snapshot's files, as the ad hoc SQL reads them.</summary>
    private static string Files(MasterDatasetSnapshot snapshot) => "[" + string.Join(", ", snapshot.Files.Select(f => $"'{snapshot.GetPath(f)}'")) + "]";

    /// <summary>Per group of both views: the count and the sum (revenue, volume_eur) the published batch views hold.</summary>
    private static async Task<Dictionary<string, Numbers>> ReadViewsAsync(Catalog catalog, string root)
    {
        var manifest = (await new ManifestStore(root).LoadAsync(CancellationToken.None))!;
        var reader = new BatchViewReader(root);
        var ours = new Dictionary<string, Numbers>(StringComparer.Ordinal);
        foreach (var name in Views)
        {
            var view = catalog.GetView(name);
            foreach (var group in await BatchViewContents.ReadGroupsAsync(reader, manifest.FindView(name)!, view))
            {
                var dimension = group.Dimensions[0].IsNull ? DuckDbLookupBaseline.NullText : group.Dimensions[0].AsString();
                var sum = group.GetValue(1) is { IsNull: false } value ? value.AsDecimal() : 0m;
                ours[Numbers.Key(name, group.BucketStartMilliseconds, dimension)] = new Numbers(group.GetValue(0).AsLong(), sum, null);
            }
        }

        return ours;
    }
}
