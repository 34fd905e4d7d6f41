namespace Lambda.BatchLayer.Archive;

/// <summary>How far the archiver of one source is behind, over the partitions this process archives.</summary>
/// <param name="Source">The catalog source.</param>
/// <param name="Partitions">Partitions with a measured lag (those assigned to this process that committed at least once).</param>
/// <param name="WorstPartition">The partition with the largest lag (-1 when none is measured).</param>
/// <param name="WorstLag">Its lag in messages.</param>
/// <param name="PartitionsBehind">Partitions whose lag is beyond the limit.</param>
public sealed record SourceLag(string Source, int Partitions, int WorstPartition, long WorstLag, int PartitionsBehind)
{
    /// <summary>Whether some partition of the source is beyond the limit.</summary>
    public bool IsBehind => PartitionsBehind > 0;
}
