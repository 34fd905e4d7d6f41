using Confluent.Kafka;
using Lambda.Shared.Kafka;
using Lambda.Testing;
using Microsoft.Extensions.Options;

namespace Lambda.IntegrationTests.Kafka;

/// <summary>Produce and consume through the development broker with Confluent.Kafka, as the services do.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class DevBrokerKafkaTests
{
    private const int Partitions = 32;
    private const int MessageCount = 6_400;
    private const int FirstConsumerTake = 2_500;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Topic_created_through_the_control_API_has_the_requested_partitions()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var topic = await DevBrokerAdmin.CreateUniqueTopicAsync("it-partitions", 16, cts.Token);
        try
        {
            var again = await DevBrokerAdmin.CreateTopicAsync(topic.Name, 16, cts.Token);
            var conflict = await Assert.ThrowsAsync<InvalidOperationException>(() => DevBrokerAdmin.CreateTopicAsync(topic.Name, 8, cts.Token));

            Assert.Equal(new DevBrokerTopic(topic.Name, 16), again);
            Assert.Contains("409", conflict.Message, StringComparison.Ordinal);
            Assert.Equal(16, PartitionCount(topic.Name));
            Assert.Contains(new DevBrokerTopic(topic.Name, 16), await DevBrokerAdmin.ListTopicsAsync(cts.Token));
        }
        finally
        {
            Assert.True(await DevBrokerAdmin.DeleteTopicAsync(topic.Name, CancellationToken.None));
        }

        Assert.DoesNotContain(await DevBrokerAdmin.ListTopicsAsync(cts.Token), t => t.Name == topic.Name);
    }

    [Theory]
    [InlineData("bad name", 1, "name")]
    [InlineData("..", 1, "name")]
    [InlineData("fine", 5000, "partitions")]
    public async Task Control_API_rejects_bad_topics_naming_the_field(string name, int partitions, string field)
    {
        using var cts = new CancellationTokenSource(Deadline);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DevBrokerAdmin.CreateTopicAsync(name, partitions, cts.Token));

        Assert.Contains("400", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{field}\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await DevBrokerAdmin.ListTopicsAsync(cts.Token), t => t.Name == name);
    }

    [Fact]
    public async Task Consumer_group_commits_and_a_new_member_resumes_after_the_committed_offsets()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var topic = await DevBrokerAdmin.CreateUniqueTopicAsync("it-resume", Partitions, cts.Token);
        try
        {
            Assert.Equal(Partitions, PartitionCount(topic.Name));
            var factory = ClientFactory();

            // Produce: keyed, idempotent, every delivery acknowledged.
            var deliveredPartition = new Dictionary<int, int>();
            var partitionOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
            var producerConfig = factory.CreateProducerConfig();
            producerConfig.EnableIdempotence = true;
            producerConfig.Acks = Acks.All;
            producerConfig.LingerMs = 5;
            using (var producer = new ProducerBuilder<string, string>(producerConfig).Build())
            {
                var deliveries = Enumerable.Range(0, MessageCount)
                    .Select(i => producer.ProduceAsync(topic.Name, new Message<string, string> { Key = KeyOf(i), Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }, cts.Token))
                    .ToList();
                foreach (var report in await Task.WhenAll(deliveries))
                {
                    Assert.Equal(PersistenceStatus.Persisted, report.Status);
                    var id = int.Parse(report.Message.Value, System.Globalization.CultureInfo.InvariantCulture);
                    deliveredPartition.Add(id, report.Partition.Value);
                    if (partitionOfKey.TryGetValue(report.Message.Key, out var previous))
                    {
                        Assert.Equal(previous, report.Partition.Value);
                    }

                    partitionOfKey[report.Message.Key] = report.Partition.Value;
                }
            }

            Assert.Equal(MessageCount, deliveredPartition.Count);
            Assert.Equal(Partitions, deliveredPartition.Values.Distinct().Count());

            var group = $"it-group-{Guid.NewGuid():N}";

            // First member: consume part of the topic, commit exactly what it consumed, leave the group.
            var first = new List<ConsumeResult<string, string>>();
            var committed = new List<TopicPartitionOffset>();
            using (var consumer = BuildConsumer(factory, group))
            {
                consumer.Subscribe(topic.Name);
                while (first.Count < FirstConsumerTake)
                {
                    cts.Token.ThrowIfCancellationRequested();
                    if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
                    {
                        first.Add(result);
                    }
                }

                committed = first
                    .GroupBy(r => r.TopicPartition)
                    .Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1))
                    .ToList();
                consumer.Commit(committed);

                var stored = consumer.Committed(committed.Select(c => c.TopicPartition), TimeSpan.FromSeconds(10));
                Assert.Equal(
                    committed.OrderBy(c => c.Partition.Value).Select(c => (c.Partition.Value, c.Offset.Value)),
                    stored.OrderBy(c => c.Partition.Value).Select(c => (c.Partition.Value, c.Offset.Value)));
                consumer.Close();
            }

            // Second member of the same group: starts where the first committed, sees only the rest.
            var second = new List<ConsumeResult<string, string>>();
            using (var consumer = BuildConsumer(factory, group))
            {
                consumer.Subscribe(topic.Name);
                while (second.Count < MessageCount - FirstConsumerTake)
                {
                    cts.Token.ThrowIfCancellationRequested();
                    if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
                    {
                        second.Add(result);
                    }
                }

                // Nothing beyond the rest may follow (no redelivery of committed messages).
                var quietUntil = DateTime.UtcNow.AddSeconds(2);
                while (DateTime.UtcNow < quietUntil)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } extra)
                    {
                        second.Add(extra);
                    }
                }

                consumer.Close();
            }

            var firstIds = first.Select(Id).ToList();
            var secondIds = second.Select(Id).ToList();
            Assert.Equal(FirstConsumerTake, firstIds.Distinct().Count());
            Assert.Equal(MessageCount - FirstConsumerTake, secondIds.Count);
            Assert.Equal(secondIds.Count, secondIds.Distinct().Count());
            Assert.Empty(firstIds.Intersect(secondIds));
            Assert.Equal(Enumerable.Range(0, MessageCount), firstIds.Concat(secondIds).Order());

            var resumeOffset = committed.ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
            Assert.All(second, r => Assert.True(
                r.Offset.Value >= resumeOffset.GetValueOrDefault(r.Partition.Value, 0),
                $"partition {r.Partition.Value} redelivered offset {r.Offset.Value} below the committed {resumeOffset.GetValueOrDefault(r.Partition.Value, 0)}"));
            Assert.All(first.Concat(second), r => Assert.Equal(deliveredPartition[Id(r)], r.Partition.Value));
        }
        finally
        {
            await DevBrokerAdmin.DeleteTopicAsync(topic.Name, CancellationToken.None);
        }
    }

    private static string KeyOf(int i) => $"user-{i % 500}";

    private static int Id(ConsumeResult<string, string> r) => int.Parse(r.Message.Value, System.Globalization.CultureInfo.InvariantCulture);

    private static KafkaClientConfigFactory ClientFactory() =>
        new(Options.Create(new KafkaOptions { BootstrapServers = StackEndpoints.Load().KafkaBootstrap }));

    private static IConsumer<string, string> BuildConsumer(KafkaClientConfigFactory factory, string group)
    {
        var config = factory.CreateConsumerConfig(group);
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.EnableAutoCommit = false;
        // After a member leaves, even cleanly, the mock cluster waits about one session timeout before
        // it assigns the partitions to whoever joins next: keep the timeout short.
        config.SessionTimeoutMs = 3_000;
        return new ConsumerBuilder<string, string>(config).Build();
    }

    private static int PartitionCount(string topic)
    {
        using var admin = new AdminClientBuilder(ClientFactory().CreateAdminClientConfig()).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        return metadata.Topics.Single(t => t.Topic == topic).Partitions.Count;
    }
}
