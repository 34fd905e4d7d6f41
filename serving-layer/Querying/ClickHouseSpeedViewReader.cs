using System.Globalization;
using Lambda.ServingLayer.Limits;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Time;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// <see cref="ISpeedViewReader"/> over the shared speed table format (<see cref="SpeedTableSchema"/>,
/// <see cref="SpeedRowReader"/>). First how far each partition's flushes have got (rows at or above <c>from[p]</c>,
/// plus partitions not listed), then exactly the delta rows of the flushes in [from_p, that end), buckets in the
/// selection's range, the filter's value lists pushed into the WHERE clause where exact and the whole filter checked
/// per row as it is read, merged per (bucket, dimensions). Flushes inserted between the two queries lie above the
/// end and are left for the next read. Both reads count only the rows the table's fences let count (<see cref="SpeedFences"/>:
/// a speed-layer instance that lost its partitions cannot add its late flushes). A table that does not exist yet holds no deltas.
/// </summary>
/// <remarks>
/// Both reads carry <c>max_execution_time</c> = <see cref="QueryLimitsOptions.Timeout"/> (whole seconds, rounded up): a
/// request that timed out has its ClickHouse work stopped by the server too, whether or not it notices the closed connection.
/// </remarks>
public sealed class ClickHouseSpeedViewReader(IClickHouseClient client, IOptions<QueryLimitsOptions>? limits = null) : ISpeedViewReader, ISpeedCoverageReader
{
    private readonly ClickHouseCallOptions _call = new()
    {
        Settings = new Dictionary<string, string>
        {
            ["max_execution_time"] = ((long)Math.Ceiling((limits?.Value ?? new QueryLimitsOptions()).Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        },
    };

    /// <inheritdoc/>
    public async Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> from, Granularity granularity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(from);
        if (!view.Granularity.CanRollUpTo(granularity) || !selection.Range.IsAlignedTo(granularity))
        {
            throw new ArgumentException(
                $"view '{view.Name}' per {view.Granularity.ToName()} cannot be rolled up to {granularity.ToName()} for the range {selection.Range}", nameof(granularity));
        }

        var schema = SpeedTableSchema.For(view);
        // One set of fences for both reads, so the bound and the rows agree on which rows count.
        var fences = await SpeedFences.ReadAsync(client, schema, cancellationToken, _call).ConfigureAwait(false);
        var maxOffsets = await SpeedTableQueries.ReadMaxOffsetsAsync(client, schema, from, cancellationToken, _call, fences).ConfigureAwait(false);
        var offsets = maxOffsets.ToDictionary(m => m.Key, m => new SpeedOffsetRange(Math.Max(0, from.GetValueOrDefault(m.Key)), m.Value + 1));

        // Merged straight into buckets of the target granularity: the rows fold into far fewer groups than the view's own buckets.
        var aggregator = new ViewAggregator(view, granularity);
        if (!selection.Range.IsEmpty)
        {
            await ReadRowsAsync(schema, selection, offsets, fences, aggregator, cancellationToken).ConfigureAwait(false);
        }

        return new SpeedViewRead(aggregator.Drain(), offsets.ToDictionary(o => o.Key, o => o.Value.To));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> ReadFirstOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        return SpeedTableQueries.ReadMinFirstOffsetsAsync(client, SpeedTableSchema.For(view), cancellationToken, _call);
    }

    private async Task ReadRowsAsync(
        SpeedTableSchema schema, ViewSelection selection, IReadOnlyDictionary<int, SpeedOffsetRange> offsets, SpeedFences fences, ViewAggregator target, CancellationToken cancellationToken)
    {
        var reader = new SpeedRowReader(schema);
        var pushDown = selection.Filter.Conditions.Select(c => new SpeedDimensionFilter(c.Index, c.Values)).ToArray();
        var sql = reader.BuildQuery(client.Database, selection.Range, offsets, pushDown, fences);
        if (sql is null)
        {
            return;
        }

        // ClickHouse applied the pushed-down conditions exactly; only the rest is checked per row.
        var remainder = new DimensionFilter(
            selection.Filter.Conditions.Where(c => !SpeedRowReader.CanPushDown(c.Dimension.Type.Kind)).ToArray(), selection.Filter.Where);
        await reader.ReadIntoAsync(client, sql, target, remainder.IsMatchAll ? null : remainder.Matches, cancellationToken, _call).ConfigureAwait(false);
    }
}
