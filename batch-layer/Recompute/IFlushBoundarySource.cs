using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// The speed layer's flush boundaries of a view: for each partition, the offsets <c>last_offset + 1</c> of the
/// view's speed flushes. Only these are legal batch watermarks, because a speed delta cannot be split.
/// </summary>
public interface IFlushBoundarySource
{
    /// <summary>
    /// For each partition in <paramref name="limits"/>, the highest flush boundary <c>b &lt;= limits[partition]</c>
    /// of <paramref name="view"/> (its current definition version). Partitions without such a boundary
    /// (no flush yet, or none low enough) are absent from the result.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetHighestBoundariesAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken);
}
