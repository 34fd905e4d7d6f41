using System.Globalization;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.SpeedTables;

/// <summary><see cref="ISpeedTableMaintenance"/> over the shared speed table format and HTTP client (ClickHouse 18.16 and later).</summary>
public sealed partial class ClickHouseSpeedTableMaintenance(IClickHouseClient client, ILogger<ClickHouseSpeedTableMaintenance> logger) : ISpeedTableMaintenance
{
    private static readonly ClickHouseCallOptions IdempotentCall = new() { Idempotent = true };

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetWatermarksAsync(
        ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(limits);
        var result = limits.Keys.ToDictionary(p => p, _ => 0L);
        if (limits.Count == 0)
        {
            return result;
        }

        var schema = SpeedTableSchema.For(view);
        // Only flushes that count are legal watermarks: a fenced-off writer's late rows are never merged (SpeedFences).
        var counted = (await SpeedFences.ReadAsync(client, schema, cancellationToken).ConfigureAwait(false)).Condition();
        var ordered = limits.OrderBy(l => l.Key).ToArray();
        var sql = $"SELECT {Q(SpeedTableSchema.PartitionColumn)} AS p, max({Q(SpeedTableSchema.LastOffsetColumn)}) + 1 "
            + $"FROM {ClickHouseSql.QualifiedName(client.Database, schema.TableName)} "
            + $"WHERE {Q(SpeedTableSchema.LastOffsetColumn)} + 1 <= transform(toInt64({Q(SpeedTableSchema.PartitionColumn)}), "
            + $"[{string.Join(", ", ordered.Select(l => Int64Literal(l.Key)))}], [{string.Join(", ", ordered.Select(l => Int64Literal(l.Value)))}], toInt64(-1)) "
            + (counted is null ? string.Empty : $"AND {counted} ")
            + "GROUP BY p";
        try
        {
            foreach (var row in await client.QueryRowsAsync(sql, null, cancellationToken).ConfigureAwait(false))
            {
                result[(int)row.GetInt64(0)] = row.GetInt64(1);
            }
        }
        catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex))
        {
            LogTableMissing(logger, schema.TableName, view.Name);
        }

        return result;
    }

    /// <inheritdoc/>
    public async Task DeleteCoveredDeltasAsync(ViewDefinition view, IReadOnlyDictionary<int, long> watermarks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(watermarks);
        var covered = watermarks.Where(w => w.Value > 1).OrderBy(w => w.Key).ToArray();
        if (covered.Length == 0)
        {
            return;
        }

        var schema = SpeedTableSchema.For(view);
        var partition = Q(SpeedTableSchema.PartitionColumn);
        var lastOffset = Q(SpeedTableSchema.LastOffsetColumn);
        var conditions = covered.Select(w => string.Create(CultureInfo.InvariantCulture, $"({partition} = {w.Key} AND {lastOffset} + 1 < {w.Value})"));
        var sql = $"ALTER TABLE {ClickHouseSql.QualifiedName(client.Database, schema.TableName)} DELETE WHERE {string.Join(" OR ", conditions)}";
        try
        {
            // Idempotent: deleting rows that are already gone deletes nothing.
            await client.ExecuteAsync(sql, IdempotentCall, cancellationToken).ConfigureAwait(false);
            LogCoveredDeltasDropped(logger, schema.TableName, view.Name, covered.Length);
        }
        catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex))
        {
            LogTableMissing(logger, schema.TableName, view.Name);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ViewGroup>> ReadDeltasAsync(
        ViewDefinition view, IReadOnlyDictionary<int, SpeedOffsetRange> ranges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(ranges);
        var reader = new SpeedRowReader(SpeedTableSchema.For(view));
        var sql = reader.BuildQuery(client.Database, null, ranges, []);
        if (sql is null)
        {
            return [];
        }

        var aggregator = new ViewAggregator(view);
        await reader.ReadIntoAsync(client, sql, aggregator, null, cancellationToken, IdempotentCall).ConfigureAwait(false);
        return aggregator.Drain();
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> GetFirstOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        return SpeedTableQueries.ReadMinFirstOffsetsAsync(client, SpeedTableSchema.For(view), cancellationToken, IdempotentCall);
    }

    private static string Q(string identifier) => ClickHouseSql.QuoteIdentifier(identifier);

    private static string Int64Literal(long value) => "toInt64(" + value.ToString(CultureInfo.InvariantCulture) + ")";

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View}: deletion of the speed deltas a batch view covers in {Partitions} partitions of {Table} requested (a ClickHouse mutation)")]
    private static partial void LogCoveredDeltasDropped(ILogger logger, string table, string view, int partitions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Speed table {Table} of view {View} does not exist yet; it holds no flushes")]
    private static partial void LogTableMissing(ILogger logger, string table, string view);
}
