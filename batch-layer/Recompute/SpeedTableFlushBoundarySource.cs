using Lambda.Shared.Catalog;
using Lambda.BatchLayer.SpeedTables;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// The flush boundaries of a view's speed table, through the shared speed-table store the speed layer writes with
/// (<see cref="ISpeedTableMaintenance.GetWatermarksAsync"/>: the largest <c>last_offset + 1</c> at or below each limit, read
/// in windows of the sort key just below the limits, <see cref="FlushBoundarySearch"/>). A missing table (the speed layer has
/// not run this view version) means no boundaries. The boundaries of several views are read together, in a few queries over
/// all their tables.
/// </summary>
public sealed class SpeedTableFlushBoundarySource(ISpeedTableMaintenance store) : IFlushBoundarySource
{
    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetHighestBoundariesAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(limits);
        var all = await GetHighestBoundariesAsync(new Dictionary<ViewDefinition, IReadOnlyDictionary<int, long>> { [view] = limits }, cancellationToken).ConfigureAwait(false);
        return all[view];
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>>> GetHighestBoundariesAsync(
        IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>> limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var wanted = limits.ToDictionary(l => l.Key, l => (IReadOnlyDictionary<int, long>)l.Value.Where(p => p.Value > 0).ToDictionary(p => p.Key, p => p.Value));

        // The store reports 0 for a partition without a boundary low enough; a boundary (last_offset + 1) is never 0.
        var watermarks = wanted.Values.Any(w => w.Count > 0)
            ? await store.GetWatermarksAsync(wanted, cancellationToken).ConfigureAwait(false)
            : wanted;
        return watermarks.ToDictionary(v => v.Key, v => (IReadOnlyDictionary<int, long>)v.Value.Where(w => w.Value > 0).ToDictionary(w => w.Key, w => w.Value));
    }
}
