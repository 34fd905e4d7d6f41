namespace Lambda.SpeedLayer.Pipeline;

/// <summary>
/// Where a newly assigned partition resumes, from what the speed tables hold (not from the group's
/// committed offsets): each view of the source resumes after the last offset it has stored, and the
/// partition is read from the smallest of those (or from the beginning when a view has nothing stored).
/// </summary>
/// <param name="Topic">The source topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="StoredLastOffsets">Per view of the source (in catalog order), the largest stored last_offset, or null when the view has no row for the partition.</param>
internal sealed record PartitionResume(string Topic, int Partition, IReadOnlyList<long?> StoredLastOffsets)
{
    /// <summary>The fencing token of this assignment (0: fencing off), carried by every row written from it.</summary>
    public long FencingToken { get; init; }

    /// <summary>The offset to start reading from, or null for the earliest offset still in the partition.</summary>
    public long? StartOffset =>
        StoredLastOffsets.Count == 0 || StoredLastOffsets.Any(o => o is null) ? null : StoredLastOffsets.Min(o => o!.Value) + 1;
}
