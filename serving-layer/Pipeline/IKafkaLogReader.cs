using Lambda.Shared.Kafka.Epochs;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>The pipeline health sampler's seam to the broker: where each partition's log starts and ends.</summary>
public interface IKafkaLogReader
{
    /// <summary>Every partition of <paramref name="topic"/> with its log start and end; empty when the topic does not exist.</summary>
    Task<IReadOnlyDictionary<int, PartitionLog>> ReadAsync(string topic, CancellationToken cancellationToken);
}
