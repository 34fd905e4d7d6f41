namespace Lambda.Shared.Batch;

/// <summary>One row of <see cref="ArchiverLagSchema"/>: how far the archiver's consumer group is behind on one partition.</summary>
/// <param name="ConsumerGroup">The archiver's consumer group.</param>
/// <param name="Topic">The Kafka topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Source">The catalog source the topic belongs to.</param>
/// <param name="Lag">Messages of the partition after the archiver's committed end, as of its last commit.</param>
/// <param name="MaxLag">The lag the batch layer tolerates (its share of the broker's retention); beyond it the archiver is behind.</param>
public sealed record ArchiverLagReport(string ConsumerGroup, string Topic, int Partition, string Source, long Lag, long MaxLag)
{
    /// <summary>Whether the archiver is further behind on this partition than the batch layer tolerates.</summary>
    public bool IsBehind => Lag > MaxLag;
}
