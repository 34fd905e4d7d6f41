using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lambda.BatchLayer.AnalystViews;
using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Loading;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// <c>--clickhouse-load</c>: the two ClickHouse stages after a recompute publishes, on the local stack's ClickHouse, in a
/// database of its own: the batch tables' load (<see cref="ClickHouseBatchViewLoader"/>, one call per view as
/// <c>RecomputeRunner</c> makes it) and the exact views' publish (<see cref="ClickHouseExactViewPublisher"/>), for the
/// default catalog's four <c>orders</c> views without lookups over <c>--load-days</c> days (30 by default), <c>--events</c>
/// orders a day (20,000 by default). Three runs each replace every day (a recompute of events spread over the whole range):
/// the first loads into empty tables, the third also drops the first run's days from the run-tagged tables.
/// </summary>
internal static class ClickHouseLoadBenchmark
{
    private static readonly string[] Views = ["order_amounts", "orders_by_amount_band", "orders_by_status", "revenue_by_country"];

    public static async Task<int> RunAsync(Args settings, Catalog catalog, int days)
    {
        var eventsPerDay = settings.Events == Args.DefaultEvents ? 20_000 : settings.Events;
        var views = Views.Select(catalog.GetView).ToArray();
        var stack = StackEndpoints.Load();
        var database = "bench_load_" + Guid.NewGuid().ToString("N")[..8];
        var root = Directory.CreateTempSubdirectory("lambda-load-bench-").FullName;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var client = new TimedClickHouseClient(new ClickHouseClient(http, new ClickHouseOptions { Url = stack.ClickHouseUrl, Database = database }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ClickHouse load benchmark: {stack.ClickHouseEngine} ClickHouse at {stack.ClickHouseUrl}, database {database}, {views.Length} views x {days} days, {eventsPerDay:N0} orders a day, {Environment.ProcessorCount} cores"));
        try
        {
            var files = await WriteDayFilesAsync(root, views, days, eventsPerDay);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"day files: {files.Values.Sum(d => d.Count)} view-days, {files.Values.Sum(d => d.Sum(x => x.Rows)):N0} rows"));
            var loader = new ClickHouseBatchViewLoader(client, new BatchViewReader(root), TimeProvider.System, NullLogger<ClickHouseBatchViewLoader>.Instance);
            var publisher = new ClickHouseExactViewPublisher(
                client, new BatchViewReader(root), catalog, new ManifestStore(root), TimeProvider.System, NullLogger<ClickHouseExactViewPublisher>.Instance);
            var start = DateTimeOffset.UtcNow.AddHours(-1);
            for (var run = 1; run <= Math.Max(3, settings.Repeat); run++)
            {
                var runId = $"bench-r{run}";
                var manifest = new BatchManifest
                {
                    RunId = runId,
                    PublishedAt = start.AddMinutes(run),
                    Views = views.ToDictionary(v => v.Name, v => Entry(v, runId, start.AddMinutes(run), files[v.Name]), StringComparer.Ordinal),
                };

                var clock = Stopwatch.StartNew();
                foreach (var view in views)
                {
                    await loader.LoadDaysAsync(view, manifest.Views[view.Name].Days.Select(d => new BatchDayFile(d, Path.Combine(root, d.File))).ToArray(), CancellationToken.None);
                }

                var load = clock.Elapsed.TotalSeconds;
                var loadCalls = client.TakeSummary();
                clock.Restart();
                var published = await publisher.PublishAsync(manifest, CancellationToken.None);
                var exact = clock.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: batch tables {load:F2} s for {views.Length * days} view-days, exact views {exact:F2} s ({published} view-days loaded), total {load + exact:F2} s"));
                Console.WriteLine($"  batch tables: {loadCalls}");
                Console.WriteLine($"  exact views: {client.TakeSummary()}");
            }

            return 0;
        }
        finally
        {
            await new ClickHouseClient(http, new ClickHouseOptions { Url = stack.ClickHouseUrl, Database = "system" })
                .ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(database)}", CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    private static BatchViewEntry Entry(ViewDefinition view, string runId, DateTimeOffset at, IReadOnlyList<BatchViewDay> files) => new()
    {
        View = view.Name,
        Source = view.Source.Name,
        DefinitionHash = view.DefinitionHash,
        RunId = runId,
        ComputedAt = at,
        Watermarks = new Dictionary<int, long> { [0] = 1 },

        // Every day recomputed by this run: the same rows, named after the run.
        Days = files.Select(d => d with { RunId = runId }).ToArray(),
    };

    /// <summary>One day file per view and day, from orders spread uniformly over each day.</summary>
    private static async Task<Dictionary<string, IReadOnlyList<BatchViewDay>>> WriteDayFilesAsync(string root, IReadOnlyList<ViewDefinition> views, int days, long eventsPerDay)
    {
        var parser = new EventParser(views[0].Source);
        var record = parser.CreateRecord();
        var random = new Random(11);
        string[] countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"];
        string[] statuses = ["paid", "paid", "paid", "failed", "refunded"];
        var first = new DateOnly(2026, 11, 1);
        var result = views.ToDictionary(v => v.Name, _ => new List<BatchViewDay>(), StringComparer.Ordinal);
        for (var d = 0; d < days; d++)
        {
            var day = first.AddDays(d);
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var aggregators = views.Select(v => new ViewAggregator(v)).ToArray();
            for (long i = 0; i < eventsPerDay; i++)
            {
                var ts = start.AddMilliseconds(random.NextInt64(86_400_000L)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                var json = string.Create(CultureInfo.InvariantCulture,
                    $$"""{"ts":"{{ts}}","order_id":"o{{d}}-{{i}}","user_id":"u{{random.Next(50_000)}}","country":"{{countries[random.Next(countries.Length)]}}","amount":{{random.Next(1, 100_000) / 100m}},"status":"{{statuses[random.Next(statuses.Length)]}}"}""");
                if (!parser.TryParse(Encoding.UTF8.GetBytes(json), record, out var rejection))
                {
                    throw new InvalidOperationException($"benchmark event rejected: {rejection}");
                }

                foreach (var aggregator in aggregators)
                {
                    aggregator.Add(record);
                }
            }

            for (var v = 0; v < views.Count; v++)
            {
                var file = $"views/{views[v].Name}/{day:yyyyMMdd}.parquet";
                Directory.CreateDirectory(Path.Combine(root, "views", views[v].Name));
                var rows = await new BatchViewWriter().WriteAsync(Path.Combine(root, file), views[v], day, "bench", aggregators[v].GetSortedGroups(), CancellationToken.None);
                result[views[v].Name].Add(new BatchViewDay(day, file, rows, "bench"));
            }
        }

        return result.ToDictionary(r => r.Key, r => (IReadOnlyList<BatchViewDay>)r.Value, StringComparer.Ordinal);
    }
}
