namespace Lambda.Shared.Kafka.Epochs;

/// <summary>
/// One offset epoch of a topic: a stretch of the topic's history in which its offsets only grow. A new epoch
/// begins when the offsets restart (the topic was created again, the broker lost its log, the deployment moved to
/// another cluster).
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Number">The epoch number, 0 for the first.</param>
/// <param name="TopicId">The Kafka topic id the epoch belongs to; empty while unknown (an epoch registered
/// for data stored before epochs existed, or a broker that does not report topic ids).</param>
/// <param name="StartOffsets">Per partition, the Kafka offset the epoch starts at; a partition not listed starts
/// at the beginning of its log.</param>
/// <param name="CreatedAt">When the epoch was registered (UTC).</param>
/// <param name="Reason">Why it began, for operators.</param>
public sealed record OffsetEpoch(
    string Topic,
    int Number,
    string TopicId,
    IReadOnlyDictionary<int, long> StartOffsets,
    DateTimeOffset CreatedAt,
    string Reason)
{
    /// <summary>Where <paramref name="partition"/> starts in this epoch, or null for the beginning of its log.</summary>
    public long? StartOf(int partition) => StartOffsets.TryGetValue(partition, out var start) ? start : null;

    /// <summary>The position of Kafka offset <paramref name="offset"/> in this epoch.</summary>
    public long Position(long offset) => KafkaPosition.Encode(Number, offset);
}
