using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lambda.BatchLayer.AnalystViews;
using Lambda.BatchLayer.BatchViews;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Storage;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

// An analyst's query on the exact view <view> (the published batch run below its watermarks + the speed deltas at or above
// them) beside the same query on the speed table alone (<view>_speed, every delta, the speed layer's own view), on the local
// stack's ClickHouse (LAMBDA_CLICKHOUSE_ENGINE=current: the chDB server).
// Usage: Lambda.Benchmarks.AnalystSql [--events N] [--partitions P] [--flush F] [--batch-share S] [--repeat R]
var events = Arg("--events", 1_000_000);
var partitions = Arg("--partitions", 32);
var flush = Arg("--flush", 2_000);
var batchShare = Arg("--batch-share", 80) / 100.0;
var repeat = Arg("--repeat", 20);

var catalog = CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml"));
var view = catalog.GetView("revenue_by_country");
var stack = StackEndpoints.Load();
var database = "bench_analyst_" + Guid.NewGuid().ToString("N")[..8];
var root = Directory.CreateTempSubdirectory("lambda-analyst-bench-").FullName;
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
var client = new ClickHouseClient(http, new ClickHouseOptions { Url = stack.ClickHouseUrl, Database = database });
Console.WriteLine($"Analyst SQL benchmark: {stack.ClickHouseEngine} ClickHouse at {stack.ClickHouseUrl}, database {database}, {Environment.ProcessorCount} cores");
try
{
    // Orders over three days; event i goes to partition i % P at offset i / P. Speed deltas are flushes of F offsets per partition.
    var parser = new EventParser(view.Source);
    var record = parser.CreateRecord();
    var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    var random = new Random(7);
    string[] countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"];
    var perPartition = events / partitions;
    var watermark = (long)(perPartition * batchShare) / flush * flush;
    var speed = new ClickHouseSpeedTableWriter(client, NullLogger<ClickHouseSpeedTableWriter>.Instance);
    await speed.EnsureSchemaAsync([view], CancellationToken.None);
    var batch = new ViewAggregator(view);
    var clock = Stopwatch.StartNew();
    var speedRows = 0L;
    var pending = new List<SpeedPartitionDelta>();
    for (long first = 0; first < perPartition; first += flush)
    {
        var last = Math.Min(perPartition, first + flush) - 1;
        for (var p = 0; p < partitions; p++)
        {
            var delta = new ViewAggregator(view);
            for (var offset = first; offset <= last; offset++)
            {
                var ts = start.AddMilliseconds(random.NextInt64(3 * 86_400_000L)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                var json = string.Create(CultureInfo.InvariantCulture, $$"""{"ts":"{{ts}}","order_id":"o{{offset}}-{{p}}","user_id":"u{{random.Next(50_000)}}","country":"{{countries[random.Next(countries.Length)]}}","amount":{{random.Next(1, 100_000) / 100m}},"status":"{{(random.Next(10) < 8 ? "paid" : "failed")}}"}""");
                if (!parser.TryParse(Encoding.UTF8.GetBytes(json), record, out var rejection))
                {
                    throw new InvalidOperationException($"benchmark event rejected: {rejection}");
                }

                delta.Add(record);
                if (offset < watermark)
                {
                    batch.Add(record);
                }
            }

            var groups = delta.GetSortedGroups();
            pending.Add(new SpeedPartitionDelta(p, first, last, groups));
            speedRows += groups.Count;
        }

        // One insert per round of flushes: a partition appears once per insert, as in the speed layer.
        await speed.InsertAsync(view, pending, DateTime.UtcNow, CancellationToken.None);
        pending.Clear();
    }

    // The batch run: one day file per day, published and loaded as a recompute's load does.
    var run = "bench-run";
    var days = new List<BatchViewDay>();
    foreach (var day in batch.GetSortedGroups().GroupBy(g => DateOnly.FromDateTime(g.BucketStart.UtcDateTime)))
    {
        var file = $"views/{view.Name}/{day.Key:yyyyMMdd}.parquet";
        Directory.CreateDirectory(Path.Combine(root, "views", view.Name));
        var rows = await new BatchViewWriter().WriteAsync(Path.Combine(root, file), view, day.Key, run, day, CancellationToken.None);
        days.Add(new BatchViewDay(day.Key, file, rows, run));
    }

    var entry = new BatchViewEntry
    {
        View = view.Name,
        Source = view.Source.Name,
        DefinitionHash = view.DefinitionHash,
        RunId = run,
        ComputedAt = DateTimeOffset.UtcNow,
        Watermarks = Enumerable.Range(0, partitions).ToDictionary(p => p, _ => watermark),
        Days = days,
    };
    var publisher = new ClickHouseExactViewPublisher(client, new BatchViewReader(root), catalog, new ManifestStore(root), TimeProvider.System, NullLogger<ClickHouseExactViewPublisher>.Instance);
    await publisher.PublishAsync(new BatchManifest { RunId = run, PublishedAt = entry.ComputedAt, Views = new Dictionary<string, BatchViewEntry> { [view.Name] = entry } }, CancellationToken.None);
    var batchRows = days.Sum(d => d.Rows);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"data: {events:N0} events, {partitions} partitions, flushes of {flush:N0} offsets; speed table {speedRows:N0} delta rows; batch run {batchRows:N0} rows below watermark {watermark:N0} per partition ({batchShare:P0}); prepared in {clock.Elapsed.TotalSeconds:F1} s"));

    // Top countries over the three days, and a rollup to hours: the README's analyst queries.
    var range = "bucket >= toDateTime('2026-03-01 00:00:00') AND bucket < toDateTime('2026-03-04 00:00:00')";
    (string Name, string Sql)[] queries =
    [
        ("top countries", $"SELECT country, sum(orders) AS o, sum(revenue) AS r FROM {{0}} WHERE {range} GROUP BY country ORDER BY r DESC"),
        ("hourly rollup", $"SELECT toStartOfHour(bucket) AS h, sum(orders), sum(revenue), max(biggest) FROM {{0}} WHERE {range} GROUP BY h ORDER BY h"),
    ];
    foreach (var (name, sql) in queries)
    {
        var exact = await TimeAsync(string.Format(CultureInfo.InvariantCulture, sql, view.Name));
        var speedOnly = await TimeAsync(string.Format(CultureInfo.InvariantCulture, sql, SpeedTableSchema.For(view).AnalystViewName));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: exact view median {exact.Median:F1} ms (p90 {exact.P90:F1}), speed table alone median {speedOnly.Median:F1} ms (p90 {speedOnly.P90:F1}), {repeat} runs each"));
    }
}
finally
{
    await new ClickHouseClient(http, new ClickHouseOptions { Url = stack.ClickHouseUrl, Database = "system" })
        .ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(database)}", CancellationToken.None);
    Directory.Delete(root, recursive: true);
}

async Task<(double Median, double P90)> TimeAsync(string sql)
{
    await client.QueryRowsAsync(sql, CancellationToken.None);   // warm-up
    var times = new List<double>(repeat);
    for (var i = 0; i < repeat; i++)
    {
        var watch = Stopwatch.StartNew();
        await client.QueryRowsAsync(sql, CancellationToken.None);
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return (times[times.Count / 2], times[(int)(times.Count * 0.9)]);
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
