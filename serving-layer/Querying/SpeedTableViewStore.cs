using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Time;
using SharedSpeedViewStore = Lambda.Shared.SpeedViews.ISpeedViewStore;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The serving layer's speed side over Lambda.Shared's speed tables (<see cref="SharedSpeedViewStore"/>, the same
/// code the speed layer writes with): delta rows of partition p with <c>first_offset &gt;= S_p</c>, buckets in the
/// selection's range, the dimension filter pushed down where exact, merged per (bucket, dimensions); plus how far
/// each partition's flushes have got. A table that does not exist yet holds no deltas.
/// </summary>
public sealed class SpeedTableViewStore(SharedSpeedViewStore store) : ISpeedViewStore
{
    /// <inheritdoc/>
    public Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> batchWatermark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        return ReadAsync(view, selection, batchWatermark, view.Granularity, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> batchWatermark, Granularity rollUpTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(batchWatermark);
        if (!view.Granularity.CanRollUpTo(rollUpTo) || !selection.Range.IsAlignedTo(rollUpTo))
        {
            throw new ArgumentException(
                $"view '{view.Name}' per {view.Granularity.ToName()} cannot be rolled up to {rollUpTo.ToName()} for the range {selection.Range}", nameof(rollUpTo));
        }

        // Merged straight into buckets of rollUpTo: the rows fold into far fewer groups than the view's own buckets.
        var aggregator = new ViewAggregator(view, rollUpTo);
        var filters = selection.Conditions.Select(c => new SpeedDimensionFilter(c.Index, c.Values)).ToArray();
        var offsetsTask = store.GetMaxOffsetsAsync(view, cancellationToken);
        var groupsTask = selection.Range.IsEmpty
            ? Task.FromResult(0L)
            : store.ReadIntoAsync(aggregator, selection.Range, batchWatermark, filters, cancellationToken);
        await Task.WhenAll(offsetsTask, groupsTask).ConfigureAwait(false);
        var maxOffsets = await offsetsTask.ConfigureAwait(false);
        return new SpeedViewRead(aggregator.Drain(), maxOffsets.ToDictionary(o => o.Key, o => o.Value + 1));
    }
}
