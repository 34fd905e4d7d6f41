using System.Collections.Concurrent;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>
/// <see cref="ISpeedProgressReader"/> over the shared speed table format: the stored positions through
/// <see cref="SpeedTableQueries.ReadMaxOffsetsAsync"/>, the newest flush through <see cref="SpeedTableQueries.NewestFlushSql"/>,
/// both bounded by the positions this reader found last time (sort-key ranges: a sample reads the newest flushes, not
/// the table). Positions only grow (retention keeps every partition's newest flush); a listed partition that is gone
/// anyway (a table dropped by hand) is read whole again.
/// </summary>
public sealed class ClickHouseSpeedProgressReader(IClickHouseClient client, IOptions<PipelineHealthOptions> options) : ISpeedProgressReader
{
    private readonly ClickHouseCallOptions _call = new() { Timeout = options.Value.ReadTimeout };
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<int, long>> _last = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<SpeedProgress> ReadAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var schema = SpeedTableSchema.For(view);
        var since = _last.GetValueOrDefault(schema.TableName);
        var fences = await SpeedFences.ReadAsync(client, schema, cancellationToken, _call).ConfigureAwait(false);
        var positions = await SpeedTableQueries.ReadMaxOffsetsAsync(client, schema, since, cancellationToken, _call, fences).ConfigureAwait(false);
        if (since is not null && since.Keys.Any(p => !positions.ContainsKey(p)))
        {
            since = null;
            positions = await SpeedTableQueries.ReadMaxOffsetsAsync(client, schema, since, cancellationToken, _call, fences).ConfigureAwait(false);
        }

        if (positions.Count == 0)
        {
            _last.TryRemove(schema.TableName, out _);
            return new SpeedProgress(positions, null);
        }

        try
        {
            var rows = await client.QueryRowsAsync(SpeedTableQueries.NewestFlushSql(client.Database, schema, since, fences), _call, cancellationToken).ConfigureAwait(false);
            var seconds = rows.Count == 0 ? 0 : rows[0].GetInt64(0);
            _last[schema.TableName] = positions;
            return new SpeedProgress(positions, seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds));
        }
        catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex))
        {
            // Dropped between the two queries (a new definition version): nothing stored.
            _last.TryRemove(schema.TableName, out _);
            return new SpeedProgress(new Dictionary<int, long>(), null);
        }
    }
}
