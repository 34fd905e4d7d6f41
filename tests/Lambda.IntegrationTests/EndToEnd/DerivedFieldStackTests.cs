using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// A view grouped by a derived dimension (<c>amount_band: bucket(amount, 50)</c>) on the local stack, the built services
/// in child processes: the serving API answers it exactly from the speed layer alone, and again after a batch recompute
/// from the master dataset (where only the declared fields are archived) merged with speed deltas above its watermark.
/// The expected bands, counts and sums are worked out by the test with plain decimal arithmetic on the events it sends.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class DerivedFieldStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Partitions = 2;
    private const int EventCount = 600;
    private const string QueryKey = "derived-query-key";
    private const string Query = "api/views/orders_by_amount_band?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&granularity=all&group_by=amount_band";
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(90);

    private PlatformRig _rig = null!;
    private HttpClient _serving = null!;

    public async Task InitializeAsync() =>
        _rig = await PlatformRig.CreateAsync("derived", Partitions, topic => $$"""
            sources:
              orders:
                topic: {{topic}}
                time: ts
                key: user_id
                fields: { order_id: string, user_id: string, country: string, amount: "decimal(18,2)", status: string }
                derive:
                  amount_band: bucket(amount, 50)
            views:
              orders_by_amount_band:
                source: orders
                granularity: hour
                dimensions: [amount_band]
                measures: { orders: count, revenue: sum(amount) }
            """, TimeSpan.FromSeconds(30));

    public async Task DisposeAsync()
    {
        _serving?.Dispose();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task A_derived_dimension_view_is_answered_exactly_from_speed_and_from_batch_plus_speed()
    {
        var amounts = Enumerable.Range(0, EventCount).Select(i => ((i * 3137) % 30_000) / 100m).ToArray();
        var expected = Bands(amounts);
        Assert.Equal(6, expected.Count); // bands 0, 50, ..., 250

        var environment = _rig.Environment();
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}", ["SpeedLayer__GroupId"] = $"derived-speed-{_rig.RunId}" });
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(environment) { ["Batch__Archiver__ConsumerGroupPrefix"] = $"derived-archiver-{_rig.RunId}", ["Batch__Archiver__FlushInterval"] = "00:00:01" });
        var port = FreePort.Next();
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Serving__ApiKeys__0__Key"] = QueryKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "query",
        });
        _serving = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        _serving.DefaultRequestHeaders.Add("X-Api-Key", QueryKey);

        await ProduceAsync(amounts, 0, EventCount / 2);
        await WaitForAnswerAsync(Bands(amounts.Take(EventCount / 2)), batch: false, "the first half, speed layer only");
        await WaitForArchiveAsync(EventCount / 2 / Partitions);
        await ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], environment, TimeSpan.FromSeconds(120));

        await ProduceAsync(amounts, EventCount / 2, EventCount);
        await WaitForAnswerAsync(expected, batch: true, "the batch view of the first half and speed deltas of the second");
    }

    /// <summary>Per band (the start of the 50.00-wide band of the amount), the orders and their revenue.</summary>
    private static Dictionary<decimal, (long Orders, decimal Revenue)> Bands(IEnumerable<decimal> amounts) =>
        amounts.GroupBy(a => Math.Floor(a / 50m) * 50m).ToDictionary(g => g.Key, g => ((long)g.Count(), g.Sum()));

    private async Task ProduceAsync(decimal[] amounts, int from, int to)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = _rig.Stack.KafkaBootstrap, LingerMs = 5, Acks = Acks.All }).Build();
        for (var i = from; i < to; i++)
        {
            var json = string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"ts":"2026-11-20T10:{{i % 60:D2}}:00Z","order_id":"o-{{i}}","user_id":"u-{{i % 17}}","country":"DE","amount":{{amounts[i]:F2}},"status":"paid"}""");
            await producer.ProduceAsync(new TopicPartition(_rig.Topic, i % Partitions), new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(json) });
        }
    }

    /// <summary>Polls the API until its rows equal <paramref name="expected"/> (band → orders, revenue) and it was (not) merged with a batch view.</summary>
    private async Task WaitForAnswerAsync(Dictionary<decimal, (long Orders, decimal Revenue)> expected, bool batch, string stage)
    {
        var last = "";
        await PlatformRig.Eventually(
            async () =>
            {
                foreach (var service in _rig.Services)
                {
                    service.EnsureRunning();
                }

                try
                {
                    using var response = await _serving.GetAsync(Query);
                    last = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return false;
                    }
                }
                catch (HttpRequestException)
                {
                    return false;
                }

                using var document = JsonDocument.Parse(last);
                var runId = document.RootElement.GetProperty("watermark").GetProperty("run_id");
                var rows = document.RootElement.GetProperty("rows").EnumerateArray()
                    .ToDictionary(r => r.GetProperty("amount_band").GetDecimal(), r => (r.GetProperty("orders").GetInt64(), r.GetProperty("revenue").GetDecimal()));
                return (runId.ValueKind == JsonValueKind.String) == batch
                    && rows.Count == expected.Count
                    && expected.All(e => rows.TryGetValue(e.Key, out var actual) && actual == e.Value);
            },
            stage,
            Convergence,
            () => $"last answer: {last}\nexpected: {string.Join(", ", expected.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"))}\n"
                + string.Join("\n", _rig.Services.Select(s => $"--- {s.Name}:\n{s.Tail}")));
        output.WriteLine($"{stage}: answered exactly");
    }

    private async Task WaitForArchiveAsync(long perPartition)
    {
        var commits = Path.Combine(_rig.Root, "master", "orders", "_commits");
        await PlatformRig.Eventually(
            () =>
            {
                var ends = new long[Partitions];
                foreach (var file in Directory.Exists(commits) ? Directory.EnumerateFiles(commits, "p*.json") : [])
                {
                    // p<partition>-<first>-<last>.json, offsets of epoch 0.
                    var parts = Path.GetFileNameWithoutExtension(file)[1..].Split('-');
                    var partition = int.Parse(parts[0], CultureInfo.InvariantCulture);
                    ends[partition] = Math.Max(ends[partition], long.Parse(parts[2], CultureInfo.InvariantCulture) + 1);
                }

                return Task.FromResult(ends.All(e => e >= perPartition));
            },
            $"the archive to hold {perPartition} events per partition",
            Convergence);
    }
}
