namespace Lambda.Shared.Kafka.Epochs;

/// <summary>What <see cref="EpochRules.Decide"/> found: a new epoch to begin first, or where each partition starts.</summary>
/// <param name="NewEpochReason">Not null when the topic's offsets restarted and a new epoch must begin before anything is read.</param>
/// <param name="AdoptTopicId">True when the current epoch has no topic id yet and the broker's can be recorded for it.</param>
/// <param name="Starts">Per partition, where to read (empty when a new epoch must begin).</param>
public sealed record EpochDecision(string? NewEpochReason, bool AdoptTopicId, IReadOnlyList<PartitionStart> Starts);
