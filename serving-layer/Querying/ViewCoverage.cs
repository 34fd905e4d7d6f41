namespace Lambda.ServingLayer.Querying;

/// <summary>
/// From which offset, per partition, an answer holds every event of its view (the <c>complete</c> and <c>complete_from</c>
/// members of a query's answer). A published batch view of the current definition holds every archived event below its
/// watermark S_p, and the speed deltas merged above it start exactly at S_p (a flush boundary), so a partition with S_p &gt; 0
/// is covered from offset 0. Elsewhere (no such batch view, or S_p = 0) the speed deltas are all there is, and they cover
/// the partition from the first offset the speed layer stored for the view. A new or changed view is incomplete until its
/// history is recomputed (or the speed layer read it from offset 0).
/// </summary>
/// <param name="Complete">True when every partition the answer knows of is covered from offset 0; a view without a published
/// batch view of its current definition must know of one (its speed table holds a row).</param>
/// <param name="CompleteFrom">Per partition, the offset from which the answer holds every event.</param>
public sealed record ViewCoverage(bool Complete, IReadOnlyDictionary<int, long> CompleteFrom)
{
    /// <summary>The coverage of a view nothing is known of: incomplete, no partition.</summary>
    public static ViewCoverage Unknown { get; } = new(false, new Dictionary<int, long>());

    /// <summary>
    /// The coverage of an answer that merged <paramref name="batchWatermarks"/> (S_p of a published batch view of the current
    /// definition, or null when none was merged) with speed deltas whose tables start at <paramref name="speedFirstOffsets"/>
    /// (per partition, the smallest <c>first_offset</c> stored; only consulted for partitions with S_p = 0).
    /// </summary>
    public static ViewCoverage Of(IReadOnlyDictionary<int, long>? batchWatermarks, IReadOnlyDictionary<int, long> speedFirstOffsets)
    {
        ArgumentNullException.ThrowIfNull(speedFirstOffsets);
        var from = new SortedDictionary<int, long>();
        foreach (var (partition, watermark) in batchWatermarks ?? new Dictionary<int, long>())
        {
            if (watermark > 0)
            {
                from[partition] = 0;
            }
        }

        foreach (var (partition, first) in speedFirstOffsets)
        {
            from.TryAdd(partition, first);
        }

        var complete = (batchWatermarks is not null || from.Count > 0) && from.Values.All(offset => offset == 0);
        return new ViewCoverage(complete, from);
    }

    /// <summary>True when the speed tables' first offsets are needed: some partition has no batch coverage (S_p = 0 or no batch view).</summary>
    public static bool NeedsSpeedFirstOffsets(IReadOnlyDictionary<int, long>? batchWatermarks, IEnumerable<int> speedPartitions)
    {
        ArgumentNullException.ThrowIfNull(speedPartitions);
        return batchWatermarks is null
            || batchWatermarks.Values.Any(w => w <= 0)
            || speedPartitions.Any(p => !batchWatermarks.ContainsKey(p));
    }
}
