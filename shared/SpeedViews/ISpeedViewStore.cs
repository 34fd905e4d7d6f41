using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.Shared.SpeedViews;

/// <summary>
/// The seam to the speed tables (ClickHouse): schema, atomic delta inserts, progress (resume) and flush
/// boundary queries, and reading deltas back as <see cref="ViewGroup"/>s. The speed layer writes through
/// it; the serving and batch layers read through it. Every method works on the table of the view
/// definition it is given (<see cref="SpeedTableSchema.TableNameOf"/>); a table that does not exist yet
/// reads as empty.
/// </summary>
public interface ISpeedViewStore
{
    /// <summary>
    /// Creates (idempotently) the database, the <c>speed_tables</c> metadata table, the table of every view
    /// and its analyst view (re-pointed at the current version). A view whose definition differs from the
    /// latest recorded version is logged as a warning and gets its new table; old tables are left as they are.
    /// </summary>
    Task<IReadOnlyList<SpeedTableVersion>> EnsureSchemaAsync(IEnumerable<ViewDefinition> views, CancellationToken cancellationToken);

    /// <summary>
    /// Writes one flush of <paramref name="view"/> as ONE insert (one block, atomic): for each delta its
    /// groups as delta rows, or one marker row when it has none; every row carries its partition's offset range.
    /// Not retried here: a transient failure leaves the outcome unknown (see <see cref="GetMaxOffsetsAsync"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Bad ranges, two deltas of one partition, or more than <see cref="SpeedTableSchema.MaxRowsPerInsert"/> rows.</exception>
    Task InsertAsync(ViewDefinition view, IReadOnlyList<SpeedPartitionDelta> deltas, DateTime flushedAtUtc, CancellationToken cancellationToken);

    /// <summary>
    /// Per Kafka partition, the largest <c>last_offset</c> stored for the view (delta and marker rows): the
    /// view resumes the partition at that offset + 1. Partitions with no row are absent.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="GetMaxOffsetsAsync(ViewDefinition, CancellationToken)"/> for the listed partitions only, looking
    /// only at rows whose <c>last_offset</c> is &gt;= the partition's lower bound (null: every row of the
    /// partition), so the primary key (partition, last_offset) keeps the query small however large the
    /// table is. A partition without such a row is absent.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(ViewDefinition view, IReadOnlyDictionary<int, long?> from, CancellationToken cancellationToken);

    /// <summary>
    /// Per partition, the largest <c>last_offset</c> stored for the view (delta and marker rows) among rows whose
    /// <c>last_offset</c> is &gt;= <paramref name="from"/>[p]; partitions <paramref name="from"/> does not list: among
    /// all their rows. Partitions without such a row are absent. Unlike the overload with nullable bounds, it also
    /// finds partitions the caller has not seen yet, while the primary key still prunes the listed ones.
    /// </summary>
    async Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsSinceAsync(
        ViewDefinition view, IReadOnlyDictionary<int, long> from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        var all = await GetMaxOffsetsAsync(view, cancellationToken).ConfigureAwait(false);
        return all.Where(m => m.Value >= from.GetValueOrDefault(m.Key)).ToDictionary(m => m.Key, m => m.Value);
    }

    /// <summary>
    /// Per partition, every flush boundary of the view in ascending order: the values <c>last_offset + 1</c>
    /// present in its table, the only legal batch watermarks (a delta cannot be split).
    /// </summary>
    Task<IReadOnlyDictionary<int, IReadOnlyList<long>>> GetFlushBoundariesAsync(ViewDefinition view, CancellationToken cancellationToken);

    /// <summary>
    /// For each partition of <paramref name="limits"/>, the largest flush boundary of the view that is
    /// &lt;= the limit (e.g. what the master-dataset archive holds, exclusive), or 0 when there is none:
    /// the batch watermark S_p to use.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetWatermarksAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken);

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
    /// Merges into <paramref name="target"/> (an aggregator of the same view definition, at the view's
    /// granularity or coarser) every delta row (kind 0) whose bucket starts in <paramref name="range"/>
    /// (null: all) and, per partition p, whose <c>first_offset</c> is &gt;= <paramref name="watermarks"/>[p]
    /// (S_p, exclusive end of the batch view; partitions not listed: all rows).
    /// </summary>
    /// <returns>The number of rows read.</returns>
    Task<long> ReadIntoAsync(ViewAggregator target, TimeRange? range, IReadOnlyDictionary<int, long>? watermarks, CancellationToken cancellationToken);

    /// <summary>
    /// Merges into <paramref name="target"/> the delta rows (kind 0) of the partitions <paramref name="offsets"/>
    /// lists, each within its <see cref="SpeedOffsetRange"/> (<c>first_offset &gt;= From</c> and <c>last_offset &lt; To</c>),
    /// whose bucket starts in <paramref name="range"/> (null: all) and whose dimension values pass every one of
    /// <paramref name="filters"/>. Other partitions are not read. With <c>To</c> taken from
    /// <see cref="GetMaxOffsetsSinceAsync"/> (+ 1), the read is exactly the flushes stored by then, whatever
    /// is inserted meanwhile: a view's flushes of a partition are stored in offset order.
    /// </summary>
    /// <returns>The number of rows merged into <paramref name="target"/>.</returns>
    /// <exception cref="ArgumentException">A filter names a dimension the view does not have, or has no value.</exception>
    Task<long> ReadRangesIntoAsync(
        ViewAggregator target,
        TimeRange? range,
        IReadOnlyDictionary<int, SpeedOffsetRange> offsets,
        IReadOnlyList<SpeedDimensionFilter> filters,
        CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ReadIntoAsync"/> into a fresh aggregator: the merged groups (bucket, dimensions, states)
    /// of the view, one per (bucket, dimension values), in key order.
    /// </summary>
    Task<IReadOnlyList<ViewGroup>> ReadGroupsAsync(ViewDefinition view, TimeRange? range, IReadOnlyDictionary<int, long>? watermarks, CancellationToken cancellationToken);
}
