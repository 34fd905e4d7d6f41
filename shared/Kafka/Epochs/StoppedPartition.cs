namespace Lambda.Shared.Kafka.Epochs;

/// <summary>A partition that is not read because its offsets do not match what is stored (see <see cref="EpochRules"/>).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Reason">What is wrong and what an operator can do.</param>
/// <param name="Since">When it stopped (UTC).</param>
public sealed record StoppedPartition(string Topic, int Partition, string Reason, DateTimeOffset Since);
