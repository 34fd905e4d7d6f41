namespace Lambda.Shared.Kafka.Epochs;

/// <summary>A partition's log on the broker: the first offset it still holds and the offset its next message gets.</summary>
/// <param name="Low">The log start offset.</param>
/// <param name="High">The log end offset (high watermark).</param>
public readonly record struct PartitionLog(long Low, long High);
