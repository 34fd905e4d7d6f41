extern alias batchlayer;
extern alias speedlayer;

using System.Globalization;
using System.Net;
using System.Text.Json;
using HdrHistogram;
using Lambda.ServingLayer;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using speedlayer::Lambda.SpeedLayer.Storage;
using batchlayer::Lambda.BatchLayer.BatchViews;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.Benchmarks.Serving;

/// <summary>
/// The serving layer with its real seams on realistic data: 7 days of <c>revenue_by_country</c> (minute buckets,
/// 20 countries) published as a batch view (Parquet day files + manifest in a temporary dataset root) for the
/// offsets below the watermark, every flush also in a ClickHouse speed table of a fresh database (so the speed side
/// reads the deltas above the watermark). Measures the 7-day, hourly, grouped query through HTTP with concurrent
/// clients while a live writer keeps storing speed flushes (like the speed layer: every 100 ms one flush per
/// partition of events in the last hours of the range), beside the equivalent direct ClickHouse GROUP BY over the
/// speed table. After the load, one more query must count every event, live ones included.
/// Usage: <c>real [seconds=10] [concurrency=50] [events=2000000] [live events/s=20000]</c>; ClickHouse from
/// <c>LAMBDA_CLICKHOUSE_URL</c> or the repository's <c>.state/stack.env</c>.
/// </summary>
internal static class RealisticLoad
{
    private const string Key = "bench-query-key";
    private const int Partitions = 4;
    private const int FlushEvents = 20_000;
    private static readonly DateTimeOffset Start = new(2026, 11, 18, 0, 0, 0, TimeSpan.Zero);

    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
        var eventCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2_000_000;
        var liveRate = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 20_000;
        var catalog = CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml"));
        var view = catalog.GetView("revenue_by_country");
        var clickHouseUrl = new Uri(ClickHouseUrl());
        var database = $"bench_serving_{Guid.NewGuid():N}"[..28];
        var root = Path.Combine(Path.GetTempPath(), database);
        using var http = new HttpClient();
        var client = new ClickHouseClient(http, new ClickHouseOptions { Url = clickHouseUrl, Database = database });
        try
        {
            var (batchGroups, speedRows, paid) = await LoadAsync(view, client, root, eventCount);
            Console.WriteLine($"{eventCount:N0} events over 7 days: batch view {batchGroups:N0} groups in 7 day files, speed table {speedRows:N0} delta rows; {Environment.ProcessorCount} cores");
            await using var app = await StartAsync(catalog, clickHouseUrl, database, root);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var query = $"/api/views/revenue_by_country?from={Start:yyyy-MM-dd}&to={Start.AddDays(7):yyyy-MM-dd}&granularity=hour";
            using var serving = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = address };
            serving.DefaultRequestHeaders.Add("X-Api-Key", Key);
            using (var sample = await serving.GetAsync(query))
            {
                Console.WriteLine($"response: {(await sample.Content.ReadAsByteArrayAsync()).Length:N0} bytes of JSON");
            }

            var live = new LiveWriter(view, client, Start.AddDays(7), eventCount / Partitions, liveRate);
            using (var stop = new CancellationTokenSource())
            {
                var writing = live.RunAsync(Partitions, stop.Token);
                await MeasureAsync($"serving API: 7 days per hour by country ({concurrency} clients, {liveRate:N0} live events/s)", () => serving.GetAsync(query, HttpCompletionOption.ResponseHeadersRead), TimeSpan.FromSeconds(seconds), concurrency);
                await stop.CancelAsync();
                await writing;
            }

            await Task.Delay(TimeSpan.FromSeconds(1.1));
            var total = await TotalOrdersAsync(serving, query);
            var expected = paid + live.Paid;
            Console.WriteLine($"live writer stored {live.Flushes:N0} flushes of {live.Events:N0} events; afterwards the API counts {total:N0} paid orders, expected {expected:N0}");
            if (total != expected)
            {
                throw new InvalidOperationException($"the API counted {total} paid orders, expected {expected}");
            }

            var table = ClickHouseSql.QualifiedName(database, SpeedTableSchema.TableNameOf(view));
            var sql = $"SELECT toStartOfHour(bucket) AS h, country, sum(orders), sum(revenue), max(biggest) FROM {table} WHERE kind = 0 "
                + $"AND bucket >= toDateTime('{Start:yyyy-MM-dd HH:mm:ss}') AND bucket < toDateTime('{Start.AddDays(7):yyyy-MM-dd HH:mm:ss}') GROUP BY h, country ORDER BY h, country FORMAT JSON";
            using var direct = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = clickHouseUrl };
            await MeasureAsync($"ClickHouse direct: same GROUP BY on the speed table, no distinct ({concurrency} clients)",
                () => direct.PostAsync("/", new StringContent(sql)), TimeSpan.FromSeconds(seconds), concurrency);
            await app.StopAsync();
        }
        finally
        {
            var system = new ClickHouseClient(http, new ClickHouseOptions { Url = clickHouseUrl, Database = "system" });
            await system.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(database)}", CancellationToken.None);
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>Writes the speed table (every flush) and the batch view (offsets below a flush boundary at ~97% per partition).</summary>
    private static async Task<(long BatchGroups, long SpeedRows, long Paid)> LoadAsync(ViewDefinition view, ClickHouseClient client, string root, int eventCount)
    {
        var orders = new RandomOrders(view.Source, seed: 1);
        var source = view.Source;
        var records = new EventRecord[eventCount];
        for (var i = 0; i < eventCount; i++)
        {
            var record = orders.Create("o" + i.ToString(CultureInfo.InvariantCulture), Start, TimeSpan.FromDays(7));
            records[i] = record;
        }

        var store = new ClickHouseSpeedTableWriter(client, NullLogger<ClickHouseSpeedTableWriter>.Instance);
        await store.EnsureSchemaAsync([view], CancellationToken.None);
        var batch = new ViewAggregator(view);
        var watermarks = new Dictionary<int, long>();
        long speedRows = 0;
        var perPartition = eventCount / Partitions;
        var cut = perPartition * 97 / 100 / FlushEvents * FlushEvents;
        for (var p = 0; p < Partitions; p++)
        {
            for (var first = 0; first < perPartition; first += FlushEvents)
            {
                var last = Math.Min(perPartition, first + FlushEvents) - 1;
                var flush = new ViewAggregator(view);
                for (var offset = first; offset <= last; offset++)
                {
                    var record = records[offset * Partitions + p];
                    flush.Add(record);
                    if (offset < cut)
                    {
                        batch.Add(record);
                    }
                }

                var groups = flush.Drain();
                speedRows += groups.Count;
                await store.InsertAsync(view, [new SpeedPartitionDelta(p, first, last, groups)], DateTime.UtcNow, CancellationToken.None);
            }

            watermarks[p] = cut;
        }

        const string runId = "bench-run";
        var writer = new BatchViewWriter();
        var days = new List<BatchViewDay>();
        var sorted = batch.GetSortedGroups();
        foreach (var day in sorted.GroupBy(g => DateOnly.FromDateTime(g.BucketStart.UtcDateTime)))
        {
            var file = BatchViewLayout.DayFile(view, runId, day.Key);
            var rows = await writer.WriteAsync(BatchViewLayout.Resolve(root, file), view, day.Key, runId, day, CancellationToken.None);
            days.Add(new BatchViewDay(day.Key, file, rows, runId));
        }

        var entry = new BatchViewEntry
        {
            View = view.Name, Source = source.Name, DefinitionHash = view.DefinitionHash, RunId = runId,
            ComputedAt = DateTimeOffset.UtcNow, Watermarks = watermarks, Days = days,
        };
        await new ManifestStore(root).PublishAsync(
            new BatchManifest { RunId = runId, PublishedAt = DateTimeOffset.UtcNow, Views = new Dictionary<string, BatchViewEntry> { [view.Name] = entry } },
            null,
            CancellationToken.None);
        return (sorted.Count, speedRows, orders.Paid);
    }

    private static async Task<long> TotalOrdersAsync(HttpClient serving, string query)
    {
        using var document = JsonDocument.Parse(await serving.GetStringAsync(query));
        return document.RootElement.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("orders").GetInt64());
    }

    private static Task MeasureAsync(string name, Func<Task<HttpResponseMessage>> send, TimeSpan duration, int concurrency) =>
        ClosedLoopLoad.RunAsync(name, send, HttpStatusCode.OK, duration, concurrency, warmUpRequests: 10);

    private static async Task<WebApplication> StartAsync(Catalog catalog, Uri clickHouseUrl, string database, string root)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
            ["ClickHouse:Url"] = clickHouseUrl.AbsoluteUri,
            ["ClickHouse:Database"] = database,
            ["Batch:DatasetRoot"] = root,
            ["Serving:ApiKeys:0:Key"] = Key,
            ["Serving:ApiKeys:0:Scopes:0"] = "query",
        });
        // This benchmark measures capacity: one key sends everything, so the per-key limits are lifted.
        builder.Configuration.AddInMemoryCollection(FloodLoad.LiftedLimits);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddServingLayer(builder.Configuration);
        builder.Services.RemoveAll<Catalog>().AddSingleton(catalog);
        var app = builder.Build();
        app.UseServingLayer();
        await app.StartAsync();
        return app;
    }

    private static string ClickHouseUrl()
    {
        if (Environment.GetEnvironmentVariable("LAMBDA_CLICKHOUSE_URL") is { Length: > 0 } url)
        {
            return url;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var env = Path.Combine(dir.FullName, ".state", "stack.env");
            if (File.Exists(env))
            {
                foreach (var line in File.ReadLines(env))
                {
                    if (line.StartsWith("LAMBDA_CLICKHOUSE_URL=", StringComparison.Ordinal))
                    {
                        return line["LAMBDA_CLICKHOUSE_URL=".Length..].Trim('"');
                    }
                }
            }
        }

        throw new InvalidOperationException("LAMBDA_CLICKHOUSE_URL is not set and no .state/stack.env was found: run 'scripts/lambda up'.");
    }
}
