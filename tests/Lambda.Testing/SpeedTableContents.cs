using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.SpeedViews;

namespace Lambda.Testing;

/// <summary>
/// What a speed table holds, read with the shared row format only (no layer's port): for tests that check what a
/// writer stored, or set up what a reader or maintenance port will find.
/// </summary>
public static class SpeedTableContents
{
    /// <summary>
    /// Every delta row of <paramref name="view"/>'s table whose <c>first_offset</c> is at least
    /// <paramref name="from"/>[p] (partitions not listed: every row), merged per (bucket, dimensions) at the view's
    /// granularity, in key order; empty when the table does not exist. Only rows that count under the table's fences
    /// (<see cref="SpeedFences"/>), as every reader of the platform reads them.
    /// </summary>
    public static async Task<IReadOnlyList<ViewGroup>> ReadGroupsAsync(
        IClickHouseClient client, ViewDefinition view, IReadOnlyDictionary<int, long>? from = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(view);
        var schema = SpeedTableSchema.For(view);
        var aggregator = new ViewAggregator(view);
        var fences = await SpeedFences.ReadAsync(client, schema, cancellationToken);
        var partitions = await SpeedTableQueries.ReadMaxOffsetsAsync(client, schema, null, cancellationToken, fences: fences);
        var offsets = partitions.ToDictionary(p => p.Key, p => new SpeedOffsetRange(from?.GetValueOrDefault(p.Key) ?? 0, p.Value + 1));
        var reader = new SpeedRowReader(schema);
        if (reader.BuildQuery(client.Database, null, offsets, [], fences) is { } sql)
        {
            await reader.ReadIntoAsync(client, sql, aggregator, null, cancellationToken);
        }

        return aggregator.GetSortedGroups();
    }
}
