using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Measures;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.AnalystSql;

/// <summary>
/// The analysts' exact views in ClickHouse on the real platform (built services in child processes, the rig's own topic and
/// database): orders (some late) arrive through the ingest API, recomputes publish and load, and then (1) 40 random queries
/// written in SQL against the exact views answer what the HTTP API answers and what an oracle computed from the raw events
/// gives, and (2) a reader looping over the SQL total while three recomputes publish and load never sees another total than
/// the oracle's.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ExactAnalystViewStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int EventCount = 24_000;
    private const int Partitions = 8;
    private const int QueryCount = 40;
    private const string QueryKey = "analyst-query-key";
    private const string IngestKey = "analyst-ingest-key";
    private static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(90);

    private PlatformRig _rig = null!;
    private Catalog _catalog = null!;
    private ClickHouseClient _clickHouse = null!;
    private HttpClient _serving = null!;
    private Dictionary<string, string> _environment = null!;
    private int _ingested;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("analyst", Partitions, topic => $$"""
            sources:
              orders:
                topic: {{topic}}
                time: ts
                key: user_id
                fields: { order_id: string, user_id: string, country: string, amount: "decimal(18,2)", status: string }
            views:
              revenue_by_country:
                source: orders
                where: status = 'paid'
                granularity: minute
                dimensions: [country]
                measures: { orders: count, revenue: sum(amount), biggest: max(amount), buyers: distinct(user_id) }
              orders_by_status:
                source: orders
                granularity: hour
                dimensions: [status, country]
                measures: { orders: count, smallest: min(amount), avg_amount: avg(amount), customers: distinct(user_id) }
            """, TimeSpan.FromSeconds(60));
        _catalog = CatalogLoader.LoadFile(_rig.CatalogPath);
        _clickHouse = new ClickHouseClient(_rig.Http, new ClickHouseOptions { Url = _rig.Stack.ClickHouseUrl, Database = _rig.Database });
        _environment = _rig.Environment();
        var servingPort = FreePort.Next();
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(_environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}", ["SpeedLayer__GroupId"] = $"analyst-speed-{_rig.RunId}" });
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(_environment) { ["Batch__Archiver__ConsumerGroupPrefix"] = $"analyst-archiver-{_rig.RunId}", ["Batch__Archiver__FlushInterval"] = "00:00:01" });
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(_environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{servingPort}",
            ["Serving__ApiKeys__0__Key"] = QueryKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "query",
            ["Serving__ApiKeys__1__Key"] = IngestKey,
            ["Serving__ApiKeys__1__Scopes__0"] = "ingest",
        });
        _serving = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{servingPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        _serving.DefaultRequestHeaders.Add("X-Api-Key", QueryKey);
    }

    public async Task DisposeAsync()
    {
        _serving.Dispose();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Sql_on_the_exact_views_equals_the_api_and_the_oracle_and_a_reader_never_sees_two_runs_mixed()
    {
        var events = OrderStream.Generate(EventCount, seed: 20261206);
        var firstPart = EventCount * 2 / 3;
        await IngestAsync(events.Take(firstPart).ToArray());
        await WaitForConvergenceAsync(events.Take(firstPart).ToArray(), "first two thirds");
        await RecomputeAsync();

        // The last third holds late events of day one: below the new watermark's event days, above its offsets.
        await IngestAsync(events.Skip(firstPart).ToArray());
        var oracle = await WaitForConvergenceAsync(events, "all events");
        var pointer = await PointerAsync("revenue_by_country");
        Assert.True(pointer is not null, "the first recompute's load did not point the exact view at its run");
        Assert.True(await _clickHouse.QueryScalarAsync<ulong>($"SELECT count() FROM {ClickHouseSql.QuoteIdentifier("batch_runs_revenue_by_country_" + _catalog.GetView("revenue_by_country").DefinitionHash[..8])}") > 0);
        Assert.True(await _clickHouse.QueryScalarAsync<ulong>($"SELECT count() FROM lambda_watermarks WHERE run = {ClickHouseSql.QuoteString(pointer)}") > 0);

        var queries = OracleQuery.Generate(_catalog.Views, OrderStream.Start, 3, QueryCount, seed: 12);
        await CheckQueriesAsync(queries, oracle, pointer);
        await RunReadmeQueriesAsync(oracle);

        // Three recomputes, each after more events (late ones among them) arrived, with a reader looping over the SQL total.
        var extra = OrderStream.Generate(3 * 1_500, seed: 77);
        var all = events.ToList();
        for (var round = 0; round < 3; round++)
        {
            var chunk = extra.Skip(round * 1_500).Take(1_500).ToArray();
            await IngestAsync(chunk);
            all.AddRange(chunk);
            var roundOracle = await WaitForConvergenceAsync(all, $"round {round + 1}");
            var expected = Total(roundOracle["revenue_by_country"]);
            var before = await PointerAsync("revenue_by_country");
            var (reads, seen) = await ReadTotalsWhileAsync(RecomputeAsync);
            var after = await PointerAsync("revenue_by_country");
            output.WriteLine($"round {round + 1}: {reads} SQL reads during the recompute, pointer {before} -> {after}, totals seen: {string.Join("; ", seen)}");
            Assert.NotEqual(before, after);
            Assert.True(reads > 0, "the reader read nothing during the recompute");
            Assert.True(seen.Count == 1 && seen.Single() == expected, $"round {round + 1}: the reader saw totals {string.Join("; ", seen)}, the oracle gives {expected}");
        }

        await CheckQueriesAsync(queries.Take(10).ToList(), await WaitForConvergenceAsync(all, "after the three rounds"), await PointerAsync("revenue_by_country"));

        // The watermark filter is what keeps the totals exact: the speed deltas the batch run holds are still stored, so a
        // plain UNION ALL of the run's batch rows and every delta would count them twice.
        var current = await PointerAsync("revenue_by_country");
        var naive = await _clickHouse.QueryScalarAsync<ulong>(
            $"SELECT (SELECT sum(orders) FROM revenue_by_country_speed) + (SELECT sum(orders) FROM batch_runs_revenue_by_country_{_catalog.GetView("revenue_by_country").DefinitionHash[..8]} WHERE __run IN (SELECT arrayJoin(argMax(day_runs, version)) FROM lambda_current_runs WHERE view = 'revenue_by_country'))");
        Assert.True(naive > Total(oracle: (await WaitForConvergenceAsync(all, "final")).GetValueOrDefault("revenue_by_country")!).Orders, $"a plain UNION ALL gives {naive} orders (run {current}): the test would not see a double count");
    }

    /// <summary>The README's three example queries ("SQL for analysts"), on the test's days: they run on this release and add up.</summary>
    private async Task RunReadmeQueriesAsync(Dictionary<string, JsonViewOracle> oracle)
    {
        var hours = await _clickHouse.QueryRowsAsync("""
            SELECT toStartOfHour(bucket) AS hour, sum(orders) AS orders, sum(revenue) AS revenue, max(biggest) AS biggest
            FROM revenue_by_country
            WHERE bucket >= toDateTime('2026-03-01 00:00:00') AND bucket < toDateTime('2026-03-02 00:00:00')
            GROUP BY hour ORDER BY hour
            """);
        var day1 = oracle["revenue_by_country"].Query(OrderStream.Start.ToUnixTimeMilliseconds(), OrderStream.Start.AddDays(1).ToUnixTimeMilliseconds(), null, [], _ => true);
        Assert.Equal(24, hours.Count);
        Assert.Equal(Assert.Single(day1).Measures[0].Count, hours.Sum(r => (long)r.GetUInt64(1)));

        var top = await _clickHouse.QueryRowsAsync("""
            SELECT country, sum(revenue) AS revenue, sum(orders) AS orders
            FROM revenue_by_country
            WHERE bucket >= toDateTime(toMonday(toDate('2026-03-04')))
            GROUP BY country ORDER BY revenue DESC LIMIT 10
            """);
        Assert.True(top.Count > 0 && top.Zip(top.Skip(1)).All(p => p.First.GetDecimal(1) >= p.Second.GetDecimal(1)));

        var joined = await _clickHouse.QueryRowsAsync("""
            SELECT p.hour, p.country, p.revenue, a.orders AS all_orders, a.amount_sum / a.amount_count AS avg_amount
            FROM (SELECT toStartOfHour(bucket) AS hour, country, sum(revenue) AS revenue FROM revenue_by_country
                  WHERE bucket >= toDateTime('2026-03-01 00:00:00') GROUP BY hour, country) AS p
            ANY INNER JOIN
                 (SELECT bucket AS hour, country, sum(orders) AS orders, sum(avg_amount_sum) AS amount_sum, sum(avg_amount_count) AS amount_count
                  FROM orders_by_status WHERE bucket >= toDateTime('2026-03-01 00:00:00') GROUP BY hour, country) AS a
            USING hour, country ORDER BY p.hour, p.revenue DESC
            """);
        Assert.True(joined.Count > 0 && joined.All(r => r.GetUInt64(3) > 0));
        output.WriteLine($"README queries: {hours.Count} hours, {top.Count} countries, {joined.Count} joined rows");
    }

    private static (ulong Orders, decimal Revenue) Total(JsonViewOracle oracle)
    {
        var rows = oracle.Query(long.MinValue, long.MaxValue, null, [], _ => true);
        var row = Assert.Single(rows);
        return ((ulong)row.Measures[0].Count, row.Measures[1].DecimalSum);
    }

    /// <summary>Reads the SQL total in a loop while <paramref name="action"/> runs (and a few times after); the totals seen.</summary>
    private async Task<(int Reads, HashSet<(ulong Orders, decimal Revenue)> Seen)> ReadTotalsWhileAsync(Func<Task> action)
    {
        using var stop = new CancellationTokenSource();
        var seen = new HashSet<(ulong Orders, decimal Revenue)>();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var row = (await _clickHouse.QueryRowsAsync("SELECT sum(orders), sum(revenue) FROM revenue_by_country")).Single();
                seen.Add((row.GetUInt64(0), row.GetDecimal(1)));
                reads++;
            }
        });
        await action();
        await Task.Delay(200);
        await stop.CancelAsync();
        await reader;
        return (reads, seen);
    }

    private async Task CheckQueriesAsync(IReadOnlyList<OracleQuery> queries, Dictionary<string, JsonViewOracle> oracle, string? pointer)
    {
        var compared = 0;
        var distinctCompared = 0;
        foreach (var query in queries)
        {
            var sql = new AnalystSqlQuery(query, _rig.Database);
            using var response = await _serving.GetAsync($"api/views/{query.View.Name}?{query.ToQueryString()}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query} answered {(int)response.StatusCode}: {body}");
            using var document = JsonDocument.Parse(body);
            Assert.Equal(pointer, document.RootElement.GetProperty("watermark").GetProperty("run_id").GetString());
            var api = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var row in document.RootElement.GetProperty("rows").EnumerateArray())
            {
                var bucket = DateTimeOffset.Parse(row.GetProperty("bucket").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                api[RowKey(bucket, query.GroupBy.Select(d => row.GetProperty(query.View.Dimensions[d].Name).GetString()!))] = row.Clone();
            }

            var expected = oracle[query.View.Name].Query(query.FromMs, query.ToMs, query.RollUpMilliseconds, query.GroupBy, query.Accepts)
                .ToDictionary(r => RowKey(r.Bucket, r.Dimensions), StringComparer.Ordinal);
            var rows = await _clickHouse.QueryRowsAsync(sql.Sql);
            Assert.True(rows.Count == api.Count && rows.Count == expected.Count, $"{query}: SQL {rows.Count} rows, API {api.Count}, oracle {expected.Count}\n{sql.Sql}");
            foreach (var row in rows)
            {
                var key = RowKey(new DateTimeOffset(row.GetDateTime(0)).ToUnixTimeMilliseconds(), query.GroupBy.Select((_, i) => row.GetString(1 + i)));
                Assert.True(api.TryGetValue(key, out var apiRow), $"{query}: SQL row {key} is not in the API's answer");
                Assert.True(expected.TryGetValue(key, out var oracleRow), $"{query}: SQL row {key} is not in the oracle");
                var column = 1 + query.GroupBy.Count;
                foreach (var (measure, columns) in sql.Measures)
                {
                    var actual = Read(row, column, measure);
                    column += columns;
                    if (measure.Kind == MeasureKind.Distinct && actual.IsNull)
                    {
                        continue; // the group spans several stored rows: no SQL estimate (README, "SQL for analysts")
                    }

                    var fromApi = OracleActual.FromJson(apiRow.GetProperty(measure.Name));
                    Assert.True(
                        actual.IsNull == fromApi.IsNull && actual.Decimal == fromApi.Decimal,
                        $"{query}: row {key} measure {measure.Name}: SQL {actual}, API {fromApi}\n{sql.Sql}");
                    var mismatch = oracleRow.Measures[measure.Index].Mismatch(actual);
                    Assert.True(mismatch is null, $"{query}: row {key} measure {measure.Name} {mismatch}");
                    compared++;
                    distinctCompared += measure.Kind == MeasureKind.Distinct ? 1 : 0;
                }
            }
        }

        output.WriteLine($"{queries.Count} queries: {compared} SQL values equal the API and the oracle ({distinctCompared} distinct estimates)");
    }

    private static OracleActual Read(ClickHouseRow row, int column, MeasureDefinition measure)
    {
        if (measure.Kind == MeasureKind.Avg)
        {
            var count = row.GetUInt64(column + 1);
            var scale = measure.FieldType!.Value.Scale + ExactAvgState.ExtraScale;
            return count == 0 ? OracleActual.Null : OracleActual.Of(decimal.Round(row.GetDecimal(column) / count, scale, MidpointRounding.ToEven));
        }

        return row.IsNull(column) ? OracleActual.Null : OracleActual.Of(row.GetDecimal(column));
    }

    private static string RowKey(long bucket, IEnumerable<string> dimensions) =>
        bucket.ToString(CultureInfo.InvariantCulture) + "|" + string.Join("|", dimensions);

    private async Task<string?> PointerAsync(string view)
    {
        var rows = await _clickHouse.QueryRowsAsync(
            $"SELECT argMax(run_id, version), count() FROM lambda_current_runs WHERE view = {ClickHouseSql.QuoteString(view)}");
        return rows.Count == 0 || rows[0].GetUInt64(1) == 0 ? null : rows[0].GetString(0);
    }

    private async Task RecomputeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await ServiceProcess.RunToEndAsync(
            Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], new Dictionary<string, string>(_environment) { ["Batch__Load__Enabled"] = "true" }, TimeSpan.FromSeconds(120));
        output.WriteLine($"recompute took {started.Elapsed.TotalSeconds:F1} s");
    }

    private async Task IngestAsync(IReadOnlyList<byte[]> events)
    {
        foreach (var batch in events.Chunk(2_000))
        {
            var body = "[" + string.Join(",", batch.Select(e => Encoding.UTF8.GetString(e))) + "]";
            await PlatformRig.Eventually(
                async () =>
                {
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "api/events/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                        request.Headers.Add("X-Api-Key", IngestKey);
                        using var response = await _serving.SendAsync(request);
                        return response.StatusCode == HttpStatusCode.Accepted;
                    }
                    catch (HttpRequestException)
                    {
                        return false; // Kestrel is not listening yet
                    }
                },
                "the ingest API to accept a batch",
                TimeSpan.FromSeconds(60),
                () => string.Join("\n", _rig.Services.Select(s => $"--- {s.Name}:\n{s.Tail}")));
            _ingested += batch.Length;
        }
    }

    /// <summary>
    /// Builds the oracle of <paramref name="events"/> from the raw JSON and waits until the archive holds every ingested event
    /// and the API's totals of every view equal the oracle's (the speed layer stored them all).
    /// </summary>
    private async Task<Dictionary<string, JsonViewOracle>> WaitForConvergenceAsync(IReadOnlyList<byte[]> events, string stage)
    {
        var oracles = new Dictionary<string, JsonViewOracle>(StringComparer.Ordinal)
        {
            ["revenue_by_country"] = new(_catalog.GetView("revenue_by_country"), e => e.GetProperty("status").GetString() == "paid"),
            ["orders_by_status"] = new(_catalog.GetView("orders_by_status"), _ => true),
        };
        foreach (var json in events)
        {
            using var document = JsonDocument.Parse(json);
            foreach (var oracle in oracles.Values)
            {
                oracle.Add(document.RootElement);
            }
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var status = "";
        await PlatformRig.Eventually(
            async () =>
            {
                foreach (var service in _rig.Services)
                {
                    service.EnsureRunning();
                }

                var archived = _rig.ArchivedEnds().Values.Sum();
                status = $"archived {archived} of {_ingested}";
                if (archived < _ingested)
                {
                    return false;
                }

                foreach (var (name, oracle) in oracles)
                {
                    using var response = await _serving.GetAsync($"api/views/{name}?from=2026-03-01T00:00:00Z&to=2026-03-04T00:00:00Z&granularity=all&group_by=");
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        status = body;
                        return false;
                    }

                    using var document = JsonDocument.Parse(body);
                    var rows = document.RootElement.GetProperty("rows");
                    var count = rows.GetArrayLength() == 0 ? 0 : rows[0].GetProperty("orders").GetInt64();
                    var expected = oracle.Matched;
                    status = $"{name}: API {count} orders, oracle {expected}";
                    if (count != expected)
                    {
                        return false;
                    }
                }

                return true;
            },
            $"{stage}: the archive and the speed layer to hold every event",
            ConvergenceTimeout,
            () => status + "\n" + string.Join("\n", _rig.Services.Select(s => $"--- {s.Name}:\n{s.Tail}")));
        output.WriteLine($"{stage}: converged after {started.Elapsed.TotalSeconds:F1} s");
        return oracles;
    }
}
