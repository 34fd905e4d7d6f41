using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Time;
using SharedSpeedViewStore = Lambda.Shared.SpeedViews.ISpeedViewStore;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The serving layer's speed side over Lambda.Shared's speed tables (<see cref="SharedSpeedViewStore"/>, the same
/// code the speed layer writes with). First how far each partition's flushes have got (rows at or above
/// <c>from[p]</c>, plus partitions not listed), then exactly the delta rows of the flushes in [from_p, that end),
/// buckets in the selection's range, the dimension filter pushed down where exact, merged per (bucket, dimensions).
/// Flushes inserted between the two queries lie above the end and are left for the next read. A table that does
/// not exist yet holds no deltas.
/// </summary>
public sealed class SpeedTableViewStore(SharedSpeedViewStore store) : ISpeedViewStore
{
    /// <inheritdoc/>
    public Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        return ReadAsync(view, selection, from, view.Granularity, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> from, Granularity rollUpTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(from);
        if (!view.Granularity.CanRollUpTo(rollUpTo) || !selection.Range.IsAlignedTo(rollUpTo))
        {
            throw new ArgumentException(
                $"view '{view.Name}' per {view.Granularity.ToName()} cannot be rolled up to {rollUpTo.ToName()} for the range {selection.Range}", nameof(rollUpTo));
        }

        var maxOffsets = await store.GetMaxOffsetsSinceAsync(view, from, cancellationToken).ConfigureAwait(false);
        var offsets = maxOffsets.ToDictionary(m => m.Key, m => new SpeedOffsetRange(Math.Max(0, from.GetValueOrDefault(m.Key)), m.Value + 1));

        // Merged straight into buckets of rollUpTo: the rows fold into far fewer groups than the view's own buckets.
        var aggregator = new ViewAggregator(view, rollUpTo);
        if (!selection.Range.IsEmpty)
        {
            var filters = selection.Conditions.Select(c => new SpeedDimensionFilter(c.Index, c.Values)).ToArray();
            await store.ReadRangesIntoAsync(aggregator, selection.Range, offsets, filters, cancellationToken).ConfigureAwait(false);
        }

        return new SpeedViewRead(aggregator.Drain(), offsets.ToDictionary(o => o.Key, o => o.Value.To));
    }
}
