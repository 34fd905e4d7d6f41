using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>
/// <see cref="ISpeedProgressReader"/> over the shared speed table format: the stored positions through
/// <see cref="SpeedTableQueries.ReadMaxOffsetsAsync"/>, the newest flush with one <c>max(flushed_at)</c>.
/// </summary>
public sealed class ClickHouseSpeedProgressReader(IClickHouseClient client, IOptions<PipelineHealthOptions> options) : ISpeedProgressReader
{
    private readonly ClickHouseCallOptions _call = new() { Timeout = options.Value.ReadTimeout };

    /// <inheritdoc />
    public async Task<SpeedProgress> ReadAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var schema = SpeedTableSchema.For(view);
        var positions = await SpeedTableQueries.ReadMaxOffsetsAsync(client, schema, since: null, cancellationToken, _call).ConfigureAwait(false);
        if (positions.Count == 0)
        {
            return new SpeedProgress(positions, null);
        }

        // As seconds since 1970: an empty table's max is the zero DateTime, which ClickHouse 18.16 prints as 0000-00-00.
        var sql = $"SELECT toUInt32(max({ClickHouseSql.QuoteIdentifier(SpeedTableSchema.FlushedAtColumn)})) FROM {ClickHouseSql.QualifiedName(client.Database, schema.TableName)}";
        try
        {
            var rows = await client.QueryRowsAsync(sql, _call, cancellationToken).ConfigureAwait(false);
            var seconds = rows.Count == 0 ? 0 : rows[0].GetInt64(0);
            return new SpeedProgress(positions, seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds));
        }
        catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex))
        {
            // Dropped between the two queries (a new definition version): nothing stored.
            return new SpeedProgress(new Dictionary<int, long>(), null);
        }
    }
}
