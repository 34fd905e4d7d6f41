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

        // A boundary is last_offset + 1 with last_offset >= 0: a limit of 0 or less has none.
        var open = limits.Where(l => l.Value > 0).ToDictionary(l => l.Key, l => l.Value);
        if (open.Count == 0)
        {
            return result;
        }

        var schema = SpeedTableSchema.For(view);
        var fences = await SpeedFences.ReadAsync(client, schema, cancellationToken).ConfigureAwait(false);
        for (var round = 0; open.Count > 0; round++)
        {
            var windows = open.ToDictionary(o => o.Key, o => (From: FlushBoundarySearch.WindowStart(o.Value, round), To: o.Value));
            try
            {
                foreach (var row in await client.QueryRowsAsync(FlushBoundarySearch.Sql(client.Database, schema, windows, fences), null, cancellationToken).ConfigureAwait(false))
                {
                    var partition = (int)row.GetInt64(0);
                    result[partition] = row.GetInt64(1) + 1;
                    open.Remove(partition);
                }
            }
            catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex))
            {
                LogTableMissing(logger, schema.TableName, view.Name);
                return result;
            }

            foreach (var (partition, window) in windows)
            {
                if (!open.ContainsKey(partition))
                {
                    continue;
                }

                if (window.From is { } from)
                {
                    open[partition] = from;
                }
                else
                {
                    open.Remove(partition);
                }
            }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View}: deletion of the speed deltas a batch view covers in {Partitions} partitions of {Table} requested (a ClickHouse mutation)")]
    private static partial void LogCoveredDeltasDropped(ILogger logger, string table, string view, int partitions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Speed table {Table} of view {View} does not exist yet; it holds no flushes")]
    private static partial void LogTableMissing(ILogger logger, string table, string view);
}
