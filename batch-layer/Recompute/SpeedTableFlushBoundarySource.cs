using Lambda.Shared.Catalog;
using Lambda.BatchLayer.SpeedTables;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// The flush boundaries of a view's speed table, through the shared speed-table store the speed layer writes with
/// (<see cref="ISpeedTableMaintenance.GetWatermarksAsync"/>: the largest <c>last_offset + 1</c> at or below each limit, read
/// in windows of the sort key just below the limits, <see cref="FlushBoundarySearch"/>). A missing table (the speed layer has
/// not run this view version) means no boundaries.
/// </summary>
public sealed class SpeedTableFlushBoundarySource(ISpeedTableMaintenance store) : IFlushBoundarySource
{
    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetHighestBoundariesAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(limits);
        var wanted = limits.Where(l => l.Value > 0).ToDictionary(l => l.Key, l => l.Value);
        if (wanted.Count == 0)
        {
            return new Dictionary<int, long>();
        }

        // The store reports 0 for a partition without a boundary low enough; a boundary (last_offset + 1) is never 0.
        var watermarks = await store.GetWatermarksAsync(view, wanted, cancellationToken).ConfigureAwait(false);
        return watermarks.Where(w => w.Value > 0).ToDictionary(w => w.Key, w => w.Value);
    }
}
