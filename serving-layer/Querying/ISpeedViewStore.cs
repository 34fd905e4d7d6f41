using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The serving layer's seam to the speed layer's ClickHouse tables (<c>speed_&lt;view&gt;_&lt;hash8&gt;</c> of the
/// view's current definition).
/// </summary>
public interface ISpeedViewStore
{
    /// <summary>
    /// The speed deltas of <paramref name="view"/> from <paramref name="from"/> on: rows (kind 0) of the flushes of
    /// partition p with <c>first_offset &gt;= from[p]</c> (0 for partitions not in the map) stored when the read
    /// started, bucket in the selection's range, merged per (bucket, dimensions) at the view's granularity. The
    /// dimension filter may be pushed down or not. <c>from</c> is the batch watermark S_p for a merge from scratch,
    /// or where an earlier read ended (<see cref="SpeedViewRead.NextOffsets"/>) for a refresh.
    /// </summary>
    Task<SpeedViewRead> ReadAsync(
        ViewDefinition view,
        ViewSelection selection,
        IReadOnlyDictionary<int, long> from,
        CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ReadAsync(ViewDefinition, ViewSelection, IReadOnlyDictionary{int, long}, CancellationToken)"/> for a
    /// caller that rolls the groups up to <paramref name="rollUpTo"/> (or coarser) anyway and whose selection range is
    /// aligned to it: the groups may come merged at any granularity from the view's up to <paramref name="rollUpTo"/>.
    /// The default gives the view's own granularity.
    /// </summary>
    Task<SpeedViewRead> ReadAsync(
        ViewDefinition view,
        ViewSelection selection,
        IReadOnlyDictionary<int, long> from,
        Granularity rollUpTo,
        CancellationToken cancellationToken) =>
        ReadAsync(view, selection, from, cancellationToken);
}
