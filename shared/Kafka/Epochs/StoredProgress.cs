namespace Lambda.Shared.Kafka.Epochs;

/// <summary>What a consumer has stored of one partition, as positions.</summary>
/// <param name="ReadFrom">The position it must read from to miss nothing (null: from the start of the current epoch).
/// The speed layer's views can differ: a new view needs what an older one already holds.</param>
/// <param name="End">The position after the furthest it has stored (null: nothing stored); checked against the broker's log.</param>
public readonly record struct StoredProgress(long? ReadFrom, long? End)
{
    /// <summary>Progress of a consumer that has one position per partition (the archiver).</summary>
    public static StoredProgress At(long? next) => new(next, next);
}
