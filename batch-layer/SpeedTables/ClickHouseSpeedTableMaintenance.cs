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
        var all = await GetWatermarksAsync(new Dictionary<ViewDefinition, IReadOnlyDictionary<int, long>> { [view] = limits }, cancellationToken).ConfigureAwait(false);
        return all[view];
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>>> GetWatermarksAsync(
        IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>> limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var results = limits.ToDictionary(l => l.Key, l => l.Value.Keys.ToDictionary(p => p, _ => 0L));

        // A boundary is last_offset + 1 with last_offset >= 0: a limit of 0 or less has none.
        var open = limits
            .Select(l => (Schema: SpeedTableSchema.For(l.Key), Limits: l.Value.Where(p => p.Value > 0).ToDictionary(p => p.Key, p => p.Value)))
            .Where(o => o.Limits.Count > 0)
            .ToDictionary(o => o.Schema.TableName, StringComparer.Ordinal);
        await RemoveMissingTablesAsync(open, cancellationToken).ConfigureAwait(false);
        if (open.Count == 0)
        {
            return Freeze(results);
        }

        var fences = await SpeedFences.ReadAllAsync(client, open.Values.Select(o => o.Schema).ToArray(), cancellationToken).ConfigureAwait(false);
        var rechecked = false;
        for (var round = 0; open.Count > 0; round++)
        {
            var windows = open.ToDictionary(
                o => o.Key,
                o => o.Value.Limits.ToDictionary(l => l.Key, l => (From: FlushBoundarySearch.WindowStart(l.Value, round), To: l.Value)),
                StringComparer.Ordinal);
            var sql = string.Join(" UNION ALL ", windows.Select(w => FlushBoundarySearch.Sql(client.Database, open[w.Key].Schema, w.Value, fences[w.Key])));
            IReadOnlyList<ClickHouseRow> rows;
            try
            {
                rows = await client.QueryRowsAsync(sql, null, cancellationToken).ConfigureAwait(false);
            }
            catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex) && !rechecked)
            {
                // A table went between the check and the read: it holds no flushes now; the round is read again without it.
                rechecked = true;
                await RemoveMissingTablesAsync(open, cancellationToken).ConfigureAwait(false);
                round--;
                continue;
            }

            foreach (var row in rows)
            {
                var (schema, tableLimits) = open[row.GetString(0)];
                var partition = (int)row.GetInt64(1);
                results[schema.View][partition] = row.GetInt64(2) + 1;
                tableLimits.Remove(partition);
            }

            // A partition without a counted row in its window is looked for below it, or has no boundary after the last window.
            foreach (var (table, tableWindows) in windows)
            {
                var tableLimits = open[table].Limits;
                foreach (var (partition, window) in tableWindows.Where(w => tableLimits.ContainsKey(w.Key)))
                {
                    if (window.From is { } from)
                    {
                        tableLimits[partition] = from;
                    }
                    else
                    {
                        tableLimits.Remove(partition);
                    }
                }

                if (tableLimits.Count == 0)
                {
                    open.Remove(table);
                }
            }
        }

        return Freeze(results);
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

    private static Dictionary<ViewDefinition, IReadOnlyDictionary<int, long>> Freeze(Dictionary<ViewDefinition, Dictionary<int, long>> results) =>
        results.ToDictionary(r => r.Key, r => (IReadOnlyDictionary<int, long>)r.Value);

    /// <summary>Leaves out the tables that do not exist (yet): the speed layer has not run that view version, it has no flushes.</summary>
    private async Task RemoveMissingTablesAsync(
        Dictionary<string, (SpeedTableSchema Schema, Dictionary<int, long> Limits)> open, CancellationToken cancellationToken)
    {
        if (open.Count == 0)
        {
            return;
        }

        var existing = new HashSet<string>(StringComparer.Ordinal);
        var names = string.Join(", ", open.Keys.Order(StringComparer.Ordinal).Select(ClickHouseSql.QuoteString));
        var rows = await client.QueryRowsAsync(
            $"SELECT name FROM system.tables WHERE database = {ClickHouseSql.QuoteString(client.Database)} AND name IN ({names})",
            IdempotentCall,
            cancellationToken).ConfigureAwait(false);
        existing.UnionWith(rows.Select(r => r.GetString(0)));
        foreach (var table in open.Keys.Where(t => !existing.Contains(t)).ToArray())
        {
            LogTableMissing(logger, table, open[table].Schema.View.Name);
            open.Remove(table);
        }
    }

    private static string Q(string identifier) => ClickHouseSql.QuoteIdentifier(identifier);

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View}: deletion of the speed deltas a batch view covers in {Partitions} partitions of {Table} requested (a ClickHouse mutation)")]
    private static partial void LogCoveredDeltasDropped(ILogger logger, string table, string view, int partitions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Speed table {Table} of view {View} does not exist yet; it holds no flushes")]
    private static partial void LogTableMissing(ILogger logger, string table, string view);
}
