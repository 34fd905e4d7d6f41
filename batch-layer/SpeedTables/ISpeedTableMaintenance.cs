using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;

namespace Lambda.BatchLayer.SpeedTables;

/// <summary>
/// The batch layer's port to the speed tables the speed layer writes (the shared table format of Lambda.Shared's
/// SpeedViews): where a recompute may put a view's watermark, dropping the deltas a published batch view covers, and
/// reading the deltas of an offset range for the drift audit.
/// A table that does not exist yet holds no flushes.
/// </summary>
public interface ISpeedTableMaintenance
{
    /// <summary>
    /// For each partition of <paramref name="limits"/>, the largest flush boundary of the view (a value <c>last_offset + 1</c>
    /// in its table) that is &lt;= the limit (e.g. what the master-dataset archive holds, exclusive), or 0 when there is
    /// none: the batch watermark S_p to use (a delta cannot be split).
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetWatermarksAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="GetWatermarksAsync(ViewDefinition, IReadOnlyDictionary{int, long}, CancellationToken)"/> for several views at
    /// once (a recompute's plan reads every view's), in a few queries over all their tables rather than a few per view.
    /// </summary>
    Task<IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>>> GetWatermarksAsync(
        IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>> limits, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the rows a batch view with <paramref name="watermarks"/> covers, except the flush that ends at each
    /// watermark: rows of partition p with <c>last_offset + 1 &lt; watermarks[p]</c>. Kept are every row at or above
    /// S_p, the flush whose boundary is S_p (so S_p stays a legal watermark and the partition's newest row, the
    /// speed layer's resume point, is never dropped) and partitions not listed. Only safe once no reader holds an
    /// older batch view; the caller decides when. ClickHouse deletes asynchronously (a mutation); rows not yet
    /// deleted are still correct, because every reader starts at or above S_p.
    /// </summary>
    Task DeleteCoveredDeltasAsync(ViewDefinition view, IReadOnlyDictionary<int, long> watermarks, CancellationToken cancellationToken);

    /// <summary>
    /// The delta rows of whole flushes inside <paramref name="ranges"/> (partition p: <c>first_offset &gt;= from_p</c> and
    /// <c>last_offset &lt; to_p</c>), merged per bucket and group: what the speed layer holds for exactly those offsets.
    /// Partitions not listed and empty ranges are not read; a table that does not exist yet holds nothing.
    /// </summary>
    Task<IReadOnlyList<ViewGroup>> ReadDeltasAsync(ViewDefinition view, IReadOnlyDictionary<int, SpeedOffsetRange> ranges, CancellationToken cancellationToken);

    /// <summary>Per partition, the smallest <c>first_offset</c> stored for the view: where its speed deltas start (empty when none).</summary>
    Task<IReadOnlyDictionary<int, long>> GetFirstOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken);
}
