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

    /// <summary>
    /// <see cref="GetHighestBoundariesAsync(ViewDefinition, IReadOnlyDictionary{int, long}, CancellationToken)"/> for every view
    /// in <paramref name="limits"/>, as a recompute's plan needs them. Asks view by view unless the source reads all views at once.
    /// </summary>
    async Task<IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>>> GetHighestBoundariesAsync(
        IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>> limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var result = new Dictionary<ViewDefinition, IReadOnlyDictionary<int, long>>(limits.Count);
        foreach (var (view, viewLimits) in limits)
        {
            result[view] = await GetHighestBoundariesAsync(view, viewLimits, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }
}
