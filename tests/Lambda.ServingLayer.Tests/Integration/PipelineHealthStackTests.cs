extern alias speedlayer;

using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using speedlayer::Lambda.SpeedLayer.Storage;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>
/// The pipeline health sampler against the dev broker, ClickHouse and PostgreSQL: events ingested to a topic of the test's
/// own show as events/s and as speed lag, and the lag goes to zero once the speed tables (in a database of the test's
/// own, written by the speed layer's writer) store up to the log ends.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PipelineHealthStackTests : IAsyncLifetime
{
    private const int Partitions = 2;
    private const int Events = 300;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _catalogPath = Path.Combine(Path.GetTempPath(), $"serving-health-it-{Guid.NewGuid():N}.yaml");
    private DevBrokerTopic? _topic;
    private ClickHouseTestDatabase? _database;

    public async Task InitializeAsync()
    {
        _topic = await DevBrokerAdmin.CreateUniqueTopicAsync("it-serving-health", Partitions, CancellationToken.None);
        await File.WriteAllTextAsync(_catalogPath, TestCatalogs.DefaultWithOrdersTopic(_topic.Name));
        _database = await ClickHouseTestDatabase.CreateAsync(prefix: "it_health");
    }

    public async Task DisposeAsync()
    {
        File.Delete(_catalogPath);
        if (_topic is not null)
        {
            await DevBrokerAdmin.DeleteTopicAsync(_topic.Name, CancellationToken.None);
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ingested_events_show_as_a_rate_and_as_speed_lag_until_the_speed_tables_store_them()
    {
        await using var app = new StackAppFactory(new Dictionary<string, string?>
        {
            ["Catalog:Path"] = _catalogPath,
            ["ClickHouse:Database"] = _database!.Name,
            ["Serving:PipelineHealth:SampleInterval"] = "00:00:01",
            ["Serving:PipelineHealth:History"] = "00:05:00",
        });
        using var ingest = app.CreateClient(StackAppFactory.IngestKey);
        using var query = app.CreateClient(StackAppFactory.QueryKey);

        // One sample of the empty topic first, so the ingest below is a rise between two samples.
        await WaitForAsync(query, orders => orders.GetProperty("samples").GetArrayLength() > 0, "a first sample");
        var lines = Enumerable.Range(0, Events).Select(i => Orders.Json(i % 60, i % 2 == 0 ? "US" : "DE", i + 0.5m, $"user-{i % 13}"));
        using var response = await ingest.PostAsync("/api/events/orders", new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // No speed table exists in the test's database: every event is lag, and the rise shows as a rate.
        var lagging = await WaitForAsync(query, orders => Latest(orders).GetProperty("speed_lag") is { ValueKind: JsonValueKind.Number } lag && lag.GetInt64() == Events, $"speed lag {Events}");
        Assert.Contains(lagging.GetProperty("samples").EnumerateArray(), s => s.GetProperty("events_per_second") is { ValueKind: JsonValueKind.Number } rate && rate.GetDouble() > 0);

        // Store every partition up to its log end, as the speed layer would (marker rows: the offsets without groups).
        var store = new ClickHouseSpeedTableWriter(_database.Client, NullLogger<ClickHouseSpeedTableWriter>.Instance);
        var ends = LogEnds(_topic!.Name);
        Assert.Equal(Events, ends.Values.Sum());
        foreach (var view in TestCatalogs.Default.ViewsOf("orders"))
        {
            var writer = new SpeedTableWriter(store, view);
            await writer.CreateAsync();
            foreach (var (partition, end) in ends.Where(e => e.Value > 0))
            {
                await writer.FlushAsync(partition, 0, end - 1, []);
            }
        }

        var caughtUp = await WaitForAsync(query, orders => Latest(orders).GetProperty("speed_lag") is { ValueKind: JsonValueKind.Number } lag && lag.GetInt64() == 0, "speed lag 0");
        Assert.Equal(0, Latest(caughtUp).GetProperty("freshness_seconds").GetDouble());
        Assert.False(caughtUp.GetProperty("breached").GetProperty("speed_lag").GetBoolean());
    }

    private static JsonElement Latest(JsonElement source)
    {
        var samples = source.GetProperty("samples");
        return samples[samples.GetArrayLength() - 1];
    }

    /// <summary>Polls the endpoint until the orders source satisfies <paramref name="condition"/>; fails with the last answer after <see cref="Deadline"/>.</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient client, Func<JsonElement, bool> condition, string what)
    {
        var started = DateTimeOffset.UtcNow;
        var last = string.Empty;
        while (DateTimeOffset.UtcNow - started < Deadline)
        {
            using var response = await client.GetAsync("/api/health/pipeline");
            last = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var orders = JsonDocument.Parse(last).RootElement.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "orders").Clone();
            if (condition(orders))
            {
                return orders;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"no {what} within {Deadline}; last answer: {last}");
        return default;
    }

    private static Dictionary<int, long> LogEnds(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = StackEndpoints.Load().KafkaBootstrap,
            GroupId = $"it-serving-health-{Guid.NewGuid():N}",
        }).Build();
        return Enumerable.Range(0, Partitions).ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }
}
