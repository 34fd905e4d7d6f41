using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Lambda.SpeedLayer.DeadLetters;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>Reads a whole dead-letter topic (every partition up to its current end).</summary>
internal static class DeadLetterReader
{
    public static IReadOnlyList<ReadLetter> ReadAll(string bootstrap, string topic, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "dlq-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToArray();
        var ends = partitions.ToDictionary(p => p.Partition.Value, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var letters = new List<ReadLetter>();
        var positions = partitions.ToDictionary(p => p.Partition.Value, _ => 0L);
        var deadline = DateTime.UtcNow + timeout;
        while (positions.Any(p => p.Value < ends[p.Key]))
        {
            Assert.True(DateTime.UtcNow < deadline, $"reading {topic} did not reach the end in {timeout}");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { Message: { } message } result)
            {
                continue;
            }

            positions[result.Partition.Value] = result.Offset.Value + 1;
            string Header(string key) => message.Headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : string.Empty;
            letters.Add(new ReadLetter(
                int.Parse(Header(DeadLetterHeaders.SourcePartition), CultureInfo.InvariantCulture),
                long.Parse(Header(DeadLetterHeaders.SourceOffset), CultureInfo.InvariantCulture),
                Header(DeadLetterHeaders.SourceTopic),
                Header(DeadLetterHeaders.Reason),
                Header(DeadLetterHeaders.Error),
                message.Value));
        }

        consumer.Close();
        return letters;
    }
}
