using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// The whole platform on the local stack, each service its built executable in a child process: 300,000 orders and
/// 60,000 payments over three days go into fresh topics; the speed layer and the archiver consume them; a batch recompute
/// runs after the first two thirds; the last third holds late events of day one; then random queries through the serving
/// API must equal an oracle the test computes from the raw JSON events with its own arithmetic, and stay equal after a
/// second recompute. Sliding-window queries (<c>window=</c>: 5 minutes per minute, 3 hours per hour, 2 days per day) are
/// among them, their oracle merging each row's window of the raw events' groups. Two views are enriched by reference data
/// the test publishes through <c>PUT /api/admin/lookups/{name}</c> before the first event: <c>revenue_by_region</c>
/// (orders joined with <c>countries</c>, one country without a row: a null region) and <c>payments_volume_eur</c>
/// (payments converted with <c>fx_rates</c>, versioned by day, at the rate valid on the payment's day; a currency without
/// a rate, one with a rate only from day 2); their oracle joins the rows itself (<see cref="OracleEnrichment"/>).
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class EndToEndOracleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int EventCount = 300_000;
    private const int PaymentCount = 60_000;
    private const int Partitions = 32;
    private const int QueryCount = 50;
    private const string QueryKey = "e2e-query-key";
    private const string AdminKey = "e2e-admin-key";
    private static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(90);

    private PlatformRig _rig = null!;

    private HashSet<string> RunIds { get; } = [];
    private Catalog _catalog = null!;
    private ClickHouseClient _clickHouse = null!;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("e2e", Partitions, EndToEndCatalog.Sources, EndToEndCatalog.Yaml, TimeSpan.FromSeconds(60));
        _catalog = CatalogLoader.LoadFile(_rig.CatalogPath);
        _clickHouse = new ClickHouseClient(_rig.Http, new ClickHouseOptions { Url = _rig.Stack.ClickHouseUrl, Database = _rig.Database });
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Every_query_equals_the_oracle_as_events_arrive_and_after_a_second_recompute()
    {
        var events = OrderStream.Generate(EventCount, seed: 20260301);
        var payments = PaymentStream.Generate(PaymentCount, seed: 20260302);
        var firstPart = EventCount * 2 / 3;
        var firstPayments = PaymentCount * 2 / 3;
        var environment = _rig.Environment();
        var servingPort = FreePort.Next();
        _rig.StartServing(
            servingPort,
            new Dictionary<string, string[]> { [QueryKey] = ["query"], [AdminKey] = ["admin"] },

            // Answers to the queries asked after the first recompute are refreshed with only the speed flushes stored
            // since, however long the last third takes to arrive.
            new Dictionary<string, string> { ["Serving__QueryResultRebase"] = "01:00:00" });

        // The reference data goes in through the admin API before any event, so both layers join these versions only.
        using (var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{servingPort}/"), Timeout = TimeSpan.FromSeconds(30) })
        {
            admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            await WaitForServingAsync(admin);
            Assert.Equal(1, await PlatformRig.PublishLookupAsync(admin, "countries", "application/json", ReferenceRows.CountriesJson(ReferenceRows.Countries)));
            Assert.Equal(1, await PlatformRig.PublishLookupAsync(admin, "fx_rates", "text/csv", ReferenceRows.FxRatesCsv(ReferenceRows.FxRates)));
        }

        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}", ["SpeedLayer__GroupId"] = $"e2e-speed-{_rig.RunId}" });
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(environment) { ["Batch__Archiver__ConsumerGroupPrefix"] = $"e2e-archiver-{_rig.RunId}", ["Batch__Archiver__FlushInterval"] = "00:00:01" });

        var produced = new Dictionary<string, long[]>(StringComparer.Ordinal) { ["orders"] = new long[Partitions], ["payments"] = new long[Partitions] };
        await ProduceAsync(events, 0, firstPart, "orders", produced);
        await ProduceAsync(payments, 0, firstPayments, "payments", produced);
        await WaitForConvergenceAsync(produced, "first two thirds");
        await RecomputeAsync(environment);
        var queries = OracleQuery.Generate(_catalog.Views, OrderStream.Start, 3, QueryCount, seed: 7)
            .Concat(OracleQuery.GenerateWindowed(_catalog.Views, OrderStream.Start, 3, seed: 11))
            .ToList();
        using var serving = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{servingPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        serving.DefaultRequestHeaders.Add("X-Api-Key", QueryKey);

        // Half of the last third first, so the answers refreshed below hold speed deltas above the watermark already.
        var middle = firstPart + ((EventCount - firstPart) / 2);
        var middlePayments = firstPayments + ((PaymentCount - firstPayments) / 2);
        await ProduceAsync(events, firstPart, middle, "orders", produced);
        await ProduceAsync(payments, firstPayments, middlePayments, "payments", produced);
        await WaitForConvergenceAsync(produced, "five sixths");
        await CheckAllAsync(serving, queries, BuildOracle(events.Take(middle).ToArray(), payments.Take(middlePayments).ToArray()), "after the first recompute, five sixths in");

        await ProduceAsync(events, middle, EventCount, "orders", produced);
        await ProduceAsync(payments, middlePayments, PaymentCount, "payments", produced);
        await WaitForConvergenceAsync(produced, "all events");

        var oracle = BuildOracle(events, payments);
        var firstAnswers = await CheckAllAsync(serving, queries, oracle, "after the first recompute, all events in (answers refreshed)");

        Assert.Single(RunIds);
        await RecomputeAsync(environment);
        var secondAnswers = await CheckAllAsync(serving, queries, oracle, "after the second recompute");
        Assert.Equal(2, RunIds.Count);
        for (var i = 0; i < queries.Count; i++)
        {
            Assert.True(firstAnswers[i] == secondAnswers[i], $"query {queries[i]} answered differently after the second recompute");
        }

        await AssertBatchStatusAsync(servingPort);
    }

    // The admin status lists runs from the batch layer's batch_runs and names the published run per view.
    private async Task AssertBatchStatusAsync(int servingPort)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{servingPort}/api/admin/batch/status");
        request.Headers.Add("X-Api-Key", AdminKey);
        using var response = await _rig.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"batch status answered {(int)response.StatusCode}: {body}");
        using var json = System.Text.Json.JsonDocument.Parse(body);
        var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.True(runs.Count >= 2, $"expected the two recomputes among the runs: {body}");
        Assert.Contains(RunIds, id => body.Contains(id, StringComparison.Ordinal));

        // No lookup was published since the runs joined them: nothing to redo.
        Assert.True(
            !json.RootElement.TryGetProperty("lookup_redo", out var redo) || redo.ValueKind == System.Text.Json.JsonValueKind.Null || !redo.EnumerateObject().Any(),
            $"lookup_redo lists days although no lookup changed: {body}");
    }

    private async Task RecomputeAsync(Dictionary<string, string> environment)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], environment, TimeSpan.FromSeconds(120));
        output.WriteLine($"recompute took {started.Elapsed.TotalSeconds:F1} s");
    }

    private async Task ProduceAsync(IReadOnlyList<byte[]> events, int from, int to, string source, Dictionary<string, long[]> producedBySource)
    {
        var produced = producedBySource[source];
        var topic = _rig.Topics[source];
        var config = new ProducerConfig { BootstrapServers = _rig.Stack.KafkaBootstrap, LingerMs = 20, Acks = Acks.All, EnableIdempotence = false };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var errors = 0;
        string? firstError = null;
        for (var i = from; i < to; i++)
        {
            var partition = i % Partitions;
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic, partition), new Message<Null, byte[]> { Value = events[i] }, report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref errors);
                            firstError ??= report.Error.Reason;
                        }
                        else
                        {
                            lock (produced)
                            {
                                produced[report.Partition.Value] = Math.Max(produced[report.Partition.Value], report.Offset.Value + 1);
                            }
                        }
                    });
                    break;
                }
                catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(60)));
        Assert.True(errors == 0, $"{errors} events were not delivered: {firstError}");
    }

    /// <summary>Polls until every view's speed table and the archive's commit log hold every produced offset of its source.</summary>
    private async Task WaitForConvergenceAsync(Dictionary<string, long[]> producedBySource, string stage)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var status = "";
        while (started.Elapsed < ConvergenceTimeout)
        {
            foreach (var service in _rig.Services)
            {
                service.EnsureRunning();
            }

            var behind = new List<string>();
            foreach (var view in _catalog.Views)
            {
                var produced = producedBySource[view.Source.Name];
                var max = await SpeedTableQueries.ReadMaxOffsetsAsync(_clickHouse, SpeedTableSchema.For(view), null, CancellationToken.None);
                var lagging = Enumerable.Range(0, Partitions).Count(p => produced[p] > 0 && max.GetValueOrDefault(p, -1) + 1 < produced[p]);
                if (lagging > 0)
                {
                    behind.Add($"speed {view.Name}: {lagging} partitions behind");
                }
            }

            foreach (var (source, produced) in producedBySource)
            {
                var archived = _rig.ArchivedEnds(source);
                var archiveLagging = Enumerable.Range(0, Partitions).Count(p => produced[p] > 0 && archived.GetValueOrDefault(p) < produced[p]);
                if (archiveLagging > 0)
                {
                    behind.Add($"archive {source}: {archiveLagging} partitions behind");
                }
            }

            if (behind.Count == 0)
            {
                output.WriteLine($"{stage}: converged after {started.Elapsed.TotalSeconds:F1} s");
                return;
            }

            status = string.Join("; ", behind);
            await Task.Delay(250);
        }

        throw new TimeoutException($"{stage}: not converged within {ConvergenceTimeout}: {status}{System.Environment.NewLine}"
            + string.Join(System.Environment.NewLine, _rig.Services.Select(s => $"--- {s.Name}:{System.Environment.NewLine}{s.Tail}")));
    }

    /// <summary>
    /// Per view, the oracle of the events: computed by the test from the raw JSON (<see cref="JsonViewOracle"/>), with
    /// the views' filters and the lookups' joins written out here (<see cref="OracleEnrichment"/> over the rows the test
    /// published), not by the platform's parser, join and aggregator.
    /// </summary>
    private Dictionary<string, JsonViewOracle> BuildOracle(IReadOnlyList<byte[]> orders, IReadOnlyList<byte[]> payments)
    {
        var orderOracles = new Dictionary<string, JsonViewOracle>(StringComparer.Ordinal)
        {
            ["revenue_by_country"] = new(_catalog.GetView("revenue_by_country"), e => e.GetProperty("status").GetString() == "paid"),
            ["orders_by_status"] = new(_catalog.GetView("orders_by_status"), _ => true),
            ["revenue_by_region"] = new(_catalog.GetView("revenue_by_region"), e => e.GetProperty("status").GetString() == "paid"),
        };
        var paymentOracles = new Dictionary<string, JsonViewOracle>(StringComparer.Ordinal)
        {
            ["payments_volume_eur"] = new(_catalog.GetView("payments_volume_eur"), e => e.GetProperty("succeeded").GetBoolean()),
        };
        var oracles = orderOracles.Concat(paymentOracles).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        Assert.Equal(_catalog.Views.Select(v => v.Name).Order(StringComparer.Ordinal), oracles.Keys.Order(StringComparer.Ordinal));
        var countries = new OracleLookup(ReferenceRows.Countries);
        var fxRates = new OracleLookup(ReferenceRows.FxRates);
        Feed(orders.Select(o => OracleEnrichment.Order(o, countries)), orderOracles.Values);
        Feed(payments.Select(p => OracleEnrichment.Payment(p, fxRates)), paymentOracles.Values);
        return oracles;
    }

    private static void Feed(IEnumerable<byte[]> events, IEnumerable<JsonViewOracle> oracles)
    {
        var list = oracles.ToArray();
        foreach (var json in events)
        {
            using var document = JsonDocument.Parse(json);
            foreach (var oracle in list)
            {
                oracle.Add(document.RootElement);
            }
        }
    }

    /// <summary>Runs every query, compares it with the oracle, returns the raw answers (rows only).</summary>
    private async Task<string[]> CheckAllAsync(HttpClient serving, IReadOnlyList<OracleQuery> queries, Dictionary<string, JsonViewOracle> oracle, string stage)
    {
        await WaitForServingAsync(serving);
        var answers = new string[queries.Count];
        var windowedRows = 0;
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            using var response = await serving.GetAsync($"api/views/{query.View.Name}?{query.ToQueryString()}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{stage}: {query} answered {(int)response.StatusCode}: {body}");
            using var document = JsonDocument.Parse(body);
            var rows = document.RootElement.GetProperty("rows");
            answers[i] = rows.GetRawText();
            var watermark = document.RootElement.GetProperty("watermark");
            var runId = watermark.GetProperty("run_id").GetString();
            Assert.True(runId is not null, $"{stage}: {query} was not merged with a batch view: {watermark.GetRawText()}");
            Assert.True(watermark.GetProperty("partitions").EnumerateObject().Sum(p => p.Value.GetInt64()) > 0, $"{stage}: the batch watermark is empty: {watermark.GetRawText()}");
            RunIds.Add(runId);
            var expected = (query.WindowMs is { } windowMs
                    ? oracle[query.View.Name].QueryWindowed(query.FromMs, query.ToMs, query.RollUpMilliseconds!.Value, windowMs, query.GroupBy, query.Accepts)
                    : oracle[query.View.Name].Query(query.FromMs, query.ToMs, query.RollUpMilliseconds, query.GroupBy, query.Accepts))
                .ToDictionary(r => RowKey(r.Bucket, r.Dimensions), StringComparer.Ordinal);
            Assert.True(
                (document.RootElement.TryGetProperty("window", out var window) ? window.GetString() : null) == query.WindowText,
                $"{stage}: {query} echoed window {(document.RootElement.TryGetProperty("window", out var echoed) ? echoed.GetRawText() : "(none)")}");
            Assert.True(expected.Count == rows.GetArrayLength(), $"{stage}: {query}: {rows.GetArrayLength()} rows, the oracle has {expected.Count}");
            windowedRows += query.WindowMs is null ? 0 : expected.Count;
            foreach (var row in rows.EnumerateArray())
            {
                var bucket = DateTimeOffset.Parse(row.GetProperty("bucket").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                var key = RowKey(bucket, query.GroupBy.Select(d => row.GetProperty(query.View.Dimensions[d].Name).GetString() ?? JsonViewOracle.NullText).ToArray());
                Assert.True(expected.TryGetValue(key, out var expectedRow), $"{stage}: {query}: row {key} is not in the oracle");
                foreach (var measure in query.View.Measures)
                {
                    var mismatch = expectedRow.Measures[measure.Index].Mismatch(OracleActual.FromJson(row.GetProperty(measure.Name)));
                    Assert.True(mismatch is null, $"{stage}: {query}: row {key} measure {measure.Name} {mismatch}");
                }
            }
        }

        output.WriteLine($"{stage}: {queries.Count} queries ({queries.Count(q => q.WindowMs is not null)} with a sliding window, {windowedRows} windowed rows) equal the oracle");
        return answers;
    }

    private static string RowKey(long bucket, IReadOnlyList<string> dimensions) =>
        bucket.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + string.Join("|", dimensions);

    private async Task WaitForServingAsync(HttpClient serving)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            foreach (var service in _rig.Services)
            {
                service.EnsureRunning();
            }

            try
            {
                using var response = await serving.GetAsync("healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (started.Elapsed < TimeSpan.FromSeconds(30))
            {
                // Kestrel is not listening yet.
            }

            await Task.Delay(200);
        }
    }
}
