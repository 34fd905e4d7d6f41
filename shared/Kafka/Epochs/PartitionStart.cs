namespace Lambda.Shared.Kafka.Epochs;

/// <summary>Where an assigned partition is read from in the current epoch, or why it must not be read.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="KafkaOffset">The Kafka offset to read from; null for the beginning of the log. Meaningless when stopped.</param>
/// <param name="StopReason">Null when the partition can be read; otherwise what an operator must resolve (names the topic, partition and both offsets).</param>
public sealed record PartitionStart(int Partition, long? KafkaOffset, string? StopReason = null)
{
    /// <summary>True when the partition must not be read until the reason is resolved.</summary>
    public bool IsStopped => StopReason is not null;
}
