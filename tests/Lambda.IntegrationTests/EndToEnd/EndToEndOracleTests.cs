using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.Shared.Catalog;
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

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("e2e", Partitions, EndToEndCatalog.Sources, EndToEndCatalog.Yaml, TimeSpan.FromSeconds(60));
        _catalog = CatalogLoader.LoadFile(_rig.CatalogPath);
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
            await _rig.WaitForHealthAsync(admin);
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

    private Task WaitForConvergenceAsync(Dictionary<string, long[]> producedBySource, string stage) =>
        _rig.WaitForConvergenceAsync(
            _catalog.Views, producedBySource, source => Task.FromResult<IReadOnlyDictionary<int, long>>(_rig.ArchivedEnds(source)), stage, ConvergenceTimeout, output.WriteLine);

    /// <summary>Per view, the oracle of the events (<see cref="EndToEndOracle.Build"/>).</summary>
    private Dictionary<string, JsonViewOracle> BuildOracle(IReadOnlyList<byte[]> orders, IReadOnlyList<byte[]> payments) =>
        EndToEndOracle.Build(_catalog, orders, payments);

    /// <summary>Runs every query, compares it with the oracle, returns the raw answers (rows only).</summary>
    private async Task<string[]> CheckAllAsync(HttpClient serving, IReadOnlyList<OracleQuery> queries, Dictionary<string, JsonViewOracle> oracle, string stage)
    {
        await _rig.WaitForHealthAsync(serving);
        return await EndToEndOracle.CheckAllAsync(serving, queries, oracle, stage, RunIds, output);
    }
}
