using Lambda.ServingLayer.Pipeline;
using Lambda.Shared.Kafka.Epochs;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Partition logs in memory, per topic; a topic in <see cref="Failing"/> throws, one not listed has no partitions.</summary>
internal sealed class FakeKafkaLogReader : IKafkaLogReader
{
    public Dictionary<string, IReadOnlyDictionary<int, PartitionLog>> Logs { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Failing { get; } = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<int, PartitionLog>> ReadAsync(string topic, CancellationToken cancellationToken) =>
        Failing.Contains(topic)
            ? Task.FromException<IReadOnlyDictionary<int, PartitionLog>>(new InvalidOperationException($"broker down for {topic}"))
            : Task.FromResult(Logs.TryGetValue(topic, out var logs) ? logs : new Dictionary<int, PartitionLog>());
}
