using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>Ingest through the real Kafka producer into the dev broker: what the 202 counts as accepted is already in the topic.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class IngestKafkaTests : IAsyncLifetime
{
    private const int Partitions = 4;
    private readonly string _catalogPath = Path.Combine(Path.GetTempPath(), $"serving-it-{Guid.NewGuid():N}.yaml");
    private DevBrokerTopic? _topic;

    public async Task InitializeAsync()
    {
        _topic = await DevBrokerAdmin.CreateUniqueTopicAsync("it-serving-orders", Partitions, CancellationToken.None);
        await File.WriteAllTextAsync(_catalogPath, TestCatalogs.DefaultWithOrdersTopic(_topic.Name));
    }

    public async Task DisposeAsync()
    {
        File.Delete(_catalogPath);
        if (_topic is not null)
        {
            await DevBrokerAdmin.DeleteTopicAsync(_topic.Name, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Accepted_records_are_in_the_topic_when_the_202_arrives_keyed_and_byte_for_byte()
    {
        await using var app = new StackAppFactory(new Dictionary<string, string?> { ["Catalog:Path"] = _catalogPath });
        using var client = app.CreateClient(StackAppFactory.IngestKey);
        var accepted = Enumerable.Range(0, 300).Select(i => Orders.Json(i % 60, i % 2 == 0 ? "US" : "DE", i + 0.25m, $"user-{i % 17}")).ToList();
        var lines = accepted.Select((json, i) => i % 50 == 7 ? json.Replace("\"amount\":", "\"amount\":\"x\",\"amount2\":", StringComparison.Ordinal) : json).ToList();
        var expected = lines.Where((_, i) => i % 50 != 7).ToList();

        using var response = await client.PostAsync(
            "/api/events/orders", new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson"));

        // Read the topic's end offsets first thing after the answer: acknowledged means stored.
        var stored = EndOffsets(_topic!.Name);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(expected.Count, result.GetProperty("accepted").GetInt32());
        Assert.Equal(6, result.GetProperty("rejected").GetInt32());
        Assert.Equal(expected.Count, stored);

        var messages = ConsumeAll(_topic.Name, expected.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), messages.Select(m => m.Value).Order(StringComparer.Ordinal));
        foreach (var message in messages)
        {
            var user = JsonDocument.Parse(message.Value).RootElement.GetProperty("user_id").GetString();
            Assert.Equal(user, message.Key);
        }

        // Keyed: every user's events share one partition.
        Assert.All(messages.GroupBy(m => m.Key), g => Assert.Single(g.Select(m => m.Partition).Distinct()));
    }

    [Fact]
    public async Task Every_record_carries_the_ingest_requests_trace_in_a_W3C_traceparent_header()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string callerSpan = "00f067aa0ba902b7";
        await using var app = new StackAppFactory(new Dictionary<string, string?> { ["Catalog:Path"] = _catalogPath });
        using var client = app.CreateClient(StackAppFactory.IngestKey);
        var lines = Enumerable.Range(0, 3).Select(i => Orders.Json(i, "US", 1m + i, $"user-{i}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events/orders")
        {
            Content = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var parents = ConsumeTraceParents(_topic!.Name, 3);
        Assert.Equal(3, parents.Count);
        Assert.All(parents, parent =>
        {
            // version-traceid-spanid-flags; the span is the service's own, a child of the caller's.
            var parts = parent?.Split('-') ?? [];
            Assert.Equal(4, parts.Length);
            Assert.Equal("00", parts[0]);
            Assert.Equal(traceId, parts[1]);
            Assert.Matches("^[0-9a-f]{16}$", parts[2]);
            Assert.NotEqual(callerSpan, parts[2]);
        });
    }

    [Fact]
    public async Task An_unreachable_broker_is_a_503_after_the_delivery_timeout()
    {
        await using var app = new StackAppFactory(new Dictionary<string, string?>
        {
            ["Catalog:Path"] = _catalogPath,
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Serving:IngestDeliveryTimeout"] = "00:00:02",
        });
        using var client = app.CreateClient(StackAppFactory.IngestKey);

        using var response = await client.PostAsync("/api/events/orders", new StringContent("[" + Orders.Json(0, "US", 1m) + "]", Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Kafka", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static long EndOffsets(string topic)
    {
        using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig()).Build();
        return Enumerable.Range(0, Partitions)
            .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    private static List<(string Key, string Value, int Partition)> ConsumeAll(string topic, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig()).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var messages = new List<(string, string, int)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (messages.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
            {
                messages.Add((result.Message.Key, result.Message.Value, result.Partition.Value));
            }
        }

        return messages;
    }

    private static List<string?> ConsumeTraceParents(string topic, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig()).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var parents = new List<string?>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (parents.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
            {
                parents.Add(result.Message.Headers.TryGetLastBytes("traceparent", out var bytes) ? Encoding.ASCII.GetString(bytes) : null);
            }
        }

        return parents;
    }

    private static ConsumerConfig ConsumerConfig() => new()
    {
        BootstrapServers = StackEndpoints.Load().KafkaBootstrap,
        GroupId = $"it-serving-{Guid.NewGuid():N}",
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
    };
}
