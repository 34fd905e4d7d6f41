namespace Lambda.Shared.Kafka.Epochs;

/// <summary>Where the assigned partitions of one topic are read from, in which epoch.</summary>
/// <param name="Epoch">The topic's current epoch: positions of the messages read are <see cref="OffsetEpoch.Position"/>.</param>
/// <param name="Starts">Per partition, where to read or why not.</param>
public sealed record EpochPlan(OffsetEpoch Epoch, IReadOnlyList<PartitionStart> Starts);
