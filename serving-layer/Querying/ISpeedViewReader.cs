using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The serving layer's read port to the speed tables (<c>speed_&lt;view&gt;_&lt;hash8&gt;</c> of the view's current
/// definition), which the speed layer writes.
/// </summary>
public interface ISpeedViewReader
{
    /// <summary>
    /// The speed deltas of <paramref name="view"/> from <paramref name="from"/> on: rows (kind 0) of the flushes of
    /// partition p with <c>first_offset &gt;= from[p]</c> (0 for partitions not in the map) stored when the read
    /// started, bucket in the selection's range and dimension values passing its filter (applied here, once), merged
    /// per (bucket, dimensions) at <paramref name="granularity"/> (finer buckets, down to the view's, are allowed: the
    /// caller rolls up anyway). <c>from</c> is the batch watermark S_p for a merge
    /// from scratch, or where an earlier read ended (<see cref="SpeedViewRead.NextOffsets"/>) for a refresh.
    /// </summary>
    /// <param name="view">The view.</param>
    /// <param name="selection">Range (aligned to <paramref name="granularity"/>) and dimension filter.</param>
    /// <param name="from">Per partition, the first offset to read.</param>
    /// <param name="granularity">The view's granularity or a coarser one the groups are rolled up to.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentException">The view cannot be rolled up to <paramref name="granularity"/>, or the range is not aligned to it.</exception>
    Task<SpeedViewRead> ReadAsync(
        ViewDefinition view,
        ViewSelection selection,
        IReadOnlyDictionary<int, long> from,
        Granularity granularity,
        CancellationToken cancellationToken);
}
