using System.Globalization;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;
using Microsoft.Extensions.Logging;

namespace Lambda.Shared.SpeedViews;

/// <summary>The speed tables in ClickHouse, over the shared HTTP client (works with ClickHouse 18.16 and later).</summary>
public sealed partial class ClickHouseSpeedViewStore : ISpeedViewStore
{
    /// <summary>ClickHouse's UNKNOWN_TABLE error code.</summary>
    private const int UnknownTable = 60;

    /// <summary>ClickHouse's UNKNOWN_DATABASE error code: nothing created yet reads as empty, like a missing table.</summary>
    private const int UnknownDatabase = 81;

    /// <summary>ClickHouse's TABLE_ALREADY_EXISTS error code.</summary>
    private const int TableAlreadyExists = 57;

    private static readonly ClickHouseCallOptions IdempotentCall = new() { Idempotent = true };
    /// <summary>
    /// Inserts are gzip-compressed for atomicity, not size: ClickHouse 18.16 commits the rows of a chunked
    /// body cut short (writer killed between chunks), but rejects a gzip body without its trailer.
    /// </summary>
    private static readonly ClickHouseCallOptions InsertCall = new() { Idempotent = false, Compress = true };

    private readonly IClickHouseClient _client;
    private readonly ILogger<ClickHouseSpeedViewStore> _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over <paramref name="client"/> (its database holds the speed tables).</summary>
    public ClickHouseSpeedViewStore(IClickHouseClient client, ILogger<ClickHouseSpeedViewStore> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
    }

    private string Database => _client.Database;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SpeedTableVersion>> EnsureSchemaAsync(IEnumerable<ViewDefinition> views, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(views);
        var schemas = views.Select(SpeedTableSchema.For).ToArray();
        await _client.EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await _client.ExecuteAsync(SpeedTableSchema.CreateMetadataTableSql(Database), IdempotentCall, cancellationToken).ConfigureAwait(false);
        var result = new List<SpeedTableVersion>(schemas.Length);
        foreach (var schema in schemas)
        {
            await _client.ExecuteAsync(schema.CreateTableSql(Database), IdempotentCall, cancellationToken).ConfigureAwait(false);
            var version = await RecordVersionAsync(schema, cancellationToken).ConfigureAwait(false);
            await EnsureAnalystViewAsync(schema, cancellationToken).ConfigureAwait(false);
            result.Add(version);
        }

        return result;
    }

    /// <inheritdoc/>
    public async Task InsertAsync(ViewDefinition view, IReadOnlyList<SpeedPartitionDelta> deltas, DateTime flushedAtUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(deltas);
        if (flushedAtUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"flushedAtUtc must be UTC (Kind = Utc), got {flushedAtUtc.Kind}", nameof(flushedAtUtc));
        }

        if (deltas.Count == 0)
        {
            return;
        }

        var partitions = new HashSet<int>();
        long rows = 0;
        foreach (var delta in deltas)
        {
            ArgumentNullException.ThrowIfNull(delta, nameof(deltas));
            delta.Validate();
            if (!partitions.Add(delta.Partition))
            {
                throw new ArgumentException($"view '{view.Name}': partition {delta.Partition} appears twice in one flush", nameof(deltas));
            }

            rows += delta.RowCount;
        }

        if (rows > SpeedTableSchema.MaxRowsPerInsert)
        {
            throw new ArgumentException(
                $"view '{view.Name}': a flush of {rows} rows exceeds {SpeedTableSchema.MaxRowsPerInsert}; it would not be one atomic block", nameof(deltas));
        }

        var schema = SpeedTableSchema.For(view);
        // Whatever could fail while rows are written fails here, before a byte is sent.
        SpeedRowWriter.Validate(schema, deltas);
        var flushedAt = SpeedRowWriter.ToDateTimeSeconds(new DateTimeOffset(flushedAtUtc).ToUnixTimeMilliseconds());
        await _client.InsertAsync(
            schema.TableName,
            schema.ColumnNames,
            (writer, token) => SpeedRowWriter.WriteAsync(writer, schema, deltas, flushedAt, token),
            InsertCall,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var schema = SpeedTableSchema.For(view);
        var sql = $"SELECT {Q(SpeedTableSchema.PartitionColumn)}, max({Q(SpeedTableSchema.LastOffsetColumn)}) "
            + $"FROM {ClickHouseSql.QualifiedName(Database, schema.TableName)} GROUP BY {Q(SpeedTableSchema.PartitionColumn)}";
        var rows = await QueryOrEmptyAsync(sql, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => (int)r.GetInt64(0), r => r.GetInt64(1));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(
        ViewDefinition view, IReadOnlyDictionary<int, long?> from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(from);
        if (from.Count == 0)
        {
            return new Dictionary<int, long>();
        }

        var schema = SpeedTableSchema.For(view);
        var partition = Q(SpeedTableSchema.PartitionColumn);
        var lastOffset = Q(SpeedTableSchema.LastOffsetColumn);
        var conditions = from.OrderBy(f => f.Key).Select(f => f.Value is { } bound
            ? string.Create(CultureInfo.InvariantCulture, $"({partition} = {f.Key} AND {lastOffset} >= {bound})")
            : string.Create(CultureInfo.InvariantCulture, $"({partition} = {f.Key})"));
        var sql = $"SELECT {partition}, max({lastOffset}) FROM {ClickHouseSql.QualifiedName(Database, schema.TableName)} "
            + $"WHERE {string.Join(" OR ", conditions)} GROUP BY {partition}";
        var rows = await QueryOrEmptyAsync(sql, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => (int)r.GetInt64(0), r => r.GetInt64(1));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsSinceAsync(
        ViewDefinition view, IReadOnlyDictionary<int, long> from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(from);
        if (from.Count == 0)
        {
            return await GetMaxOffsetsAsync(view, cancellationToken).ConfigureAwait(false);
        }

        var schema = SpeedTableSchema.For(view);
        var partition = Q(SpeedTableSchema.PartitionColumn);
        var lastOffset = Q(SpeedTableSchema.LastOffsetColumn);
        var ordered = from.OrderBy(f => f.Key).ToArray();
        var conditions = ordered.Select(f => string.Create(CultureInfo.InvariantCulture, $"({partition} = {f.Key} AND {lastOffset} >= {f.Value})"));
        var sql = $"SELECT {partition}, max({lastOffset}) FROM {ClickHouseSql.QualifiedName(Database, schema.TableName)} "
            + $"WHERE {string.Join(" OR ", conditions)} OR {partition} NOT IN ({string.Join(", ", ordered.Select(f => f.Key.ToString(CultureInfo.InvariantCulture)))}) "
            + $"GROUP BY {partition}";
        var rows = await QueryOrEmptyAsync(sql, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => (int)r.GetInt64(0), r => r.GetInt64(1));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, IReadOnlyList<long>>> GetFlushBoundariesAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var schema = SpeedTableSchema.For(view);
        var sql = $"SELECT {Q(SpeedTableSchema.PartitionColumn)} AS p, {Q(SpeedTableSchema.LastOffsetColumn)} + 1 AS boundary "
            + $"FROM {ClickHouseSql.QualifiedName(Database, schema.TableName)} GROUP BY p, boundary ORDER BY p, boundary";
        var rows = await QueryOrEmptyAsync(sql, cancellationToken).ConfigureAwait(false);
        return rows.GroupBy(r => (int)r.GetInt64(0))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<long>)g.Select(r => r.GetInt64(1)).ToArray());
    }

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
        var ordered = limits.OrderBy(l => l.Key).ToArray();
        var sql = $"SELECT {Q(SpeedTableSchema.PartitionColumn)} AS p, max({Q(SpeedTableSchema.LastOffsetColumn)}) + 1 "
            + $"FROM {ClickHouseSql.QualifiedName(Database, schema.TableName)} "
            + $"WHERE {Q(SpeedTableSchema.LastOffsetColumn)} + 1 <= transform(toInt64({Q(SpeedTableSchema.PartitionColumn)}), "
            + $"[{string.Join(", ", ordered.Select(l => Int64Literal(l.Key)))}], [{string.Join(", ", ordered.Select(l => Int64Literal(l.Value)))}], toInt64(-1)) "
            + "GROUP BY p";
        foreach (var row in await QueryOrEmptyAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            result[(int)row.GetInt64(0)] = row.GetInt64(1);
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
        var sql = $"ALTER TABLE {ClickHouseSql.QualifiedName(Database, schema.TableName)} DELETE WHERE {string.Join(" OR ", conditions)}";
        try
        {
            // Idempotent: deleting rows that are already gone deletes nothing.
            await _client.ExecuteAsync(sql, IdempotentCall, cancellationToken).ConfigureAwait(false);
            LogCoveredDeltasDropped(_logger, schema.TableName, view.Name, covered.Length);
        }
        catch (ClickHouseException ex) when (ex.ErrorCode is UnknownTable or UnknownDatabase)
        {
            LogTableMissing(_logger, schema.TableName, schema.View.Name);
        }
    }

    /// <inheritdoc/>
    public Task<long> ReadIntoAsync(
        ViewAggregator target, TimeRange? range, IReadOnlyDictionary<int, long>? watermarks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var reader = new SpeedRowReader(SpeedTableSchema.For(target.View));
        return ReadRowsIntoAsync(reader, reader.BuildQuery(Database, range, watermarks), target, null, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Conditions on string, long and bool dimensions go into the WHERE clause; the others are checked per row.</remarks>
    public Task<long> ReadRangesIntoAsync(
        ViewAggregator target,
        TimeRange? range,
        IReadOnlyDictionary<int, SpeedOffsetRange> offsets,
        IReadOnlyList<SpeedDimensionFilter> filters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(filters);
        var reader = new SpeedRowReader(SpeedTableSchema.For(target.View));
        var matcher = SpeedFilterMatcher.Create(target.View, filters);
        var sql = reader.BuildQuery(Database, range, offsets, matcher);
        return sql is null ? Task.FromResult(0L) : ReadRowsIntoAsync(reader, sql, target, matcher, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ViewGroup>> ReadGroupsAsync(
        ViewDefinition view, TimeRange? range, IReadOnlyDictionary<int, long>? watermarks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var aggregator = new ViewAggregator(view);
        await ReadIntoAsync(aggregator, range, watermarks, cancellationToken).ConfigureAwait(false);
        return aggregator.GetSortedGroups();
    }

    private async Task<long> ReadRowsIntoAsync(SpeedRowReader reader, string sql, ViewAggregator target, SpeedFilterMatcher? matcher, CancellationToken cancellationToken)
    {
        var schema = reader.Schema;
        var dimensions = new FieldValue[schema.View.Dimensions.Count];
        var states = new MeasureState[schema.View.Measures.Count];
        long rows = 0;
        var anyRow = false;
        try
        {
            await using var result = await _client.OpenReaderAsync(sql, null, cancellationToken).ConfigureAwait(false);
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                anyRow = true;
                if (reader.MergeRow(result.Current, target, dimensions, states, matcher))
                {
                    rows++;
                }
            }
        }
        catch (ClickHouseException ex) when (ex.ErrorCode is UnknownTable or UnknownDatabase && !anyRow)
        {
            LogTableMissing(_logger, schema.TableName, schema.View.Name);
        }

        return rows;
    }

    private static string Q(string identifier) => ClickHouseSql.QuoteIdentifier(identifier);

    private static string Int64Literal(long value) => "toInt64(" + value.ToString(CultureInfo.InvariantCulture) + ")";

    private async Task<IReadOnlyList<ClickHouseRow>> QueryOrEmptyAsync(string sql, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.QueryRowsAsync(sql, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ClickHouseException ex) when (ex.ErrorCode is UnknownTable or UnknownDatabase)
        {
            return [];
        }
    }

    private async Task<SpeedTableVersion> RecordVersionAsync(SpeedTableSchema schema, CancellationToken cancellationToken)
    {
        var view = schema.View;
        var metadata = ClickHouseSql.QualifiedName(Database, SpeedTableSchema.MetadataTable);
        var latest = await _client.QueryRowsAsync(
            $"SELECT version, {Q("table")} FROM {metadata} FINAL WHERE view = {ClickHouseSql.QuoteString(view.Name)} ORDER BY created DESC, version DESC LIMIT 1",
            null,
            cancellationToken).ConfigureAwait(false);
        string? previousVersion = latest.Count == 1 ? latest[0].GetString(0) : null;
        string? previousTable = latest.Count == 1 ? latest[0].GetString(1) : null;
        if (string.Equals(previousVersion, schema.Version, StringComparison.Ordinal))
        {
            LogTableCurrent(_logger, view.Name, schema.TableName);
            return new SpeedTableVersion(view.Name, schema.Version, schema.TableName, null, null);
        }

        if (previousVersion is not null)
        {
            LogDefinitionChanged(_logger, view.Name, schema.Version, schema.TableName, previousVersion, previousTable);
        }
        else
        {
            LogTableCreated(_logger, view.Name, schema.TableName);
        }

        var created = _time.GetUtcNow().UtcDateTime;
        await _client.InsertAsync(
            SpeedTableSchema.MetadataTable,
            ["view", "version", "table", "definition", "created"],
            [(view.Name, schema.Version, schema.TableName, view.CanonicalForm, created)],
            static (w, r) =>
            {
                w.WriteString(r.Name);
                w.WriteString(r.Version);
                w.WriteString(r.TableName);
                w.WriteString(r.CanonicalForm);
                w.WriteDateTime(r.created);
            },
            // Rows of a ReplacingMergeTree keyed by (view, version): a repeated insert is harmless.
            IdempotentCall,
            cancellationToken).ConfigureAwait(false);
        return new SpeedTableVersion(view.Name, schema.Version, schema.TableName, previousVersion, previousTable);
    }

    private async Task EnsureAnalystViewAsync(SpeedTableSchema schema, CancellationToken cancellationToken)
    {
        var name = schema.AnalystViewName;
        var existing = await _client.QueryRowsAsync(
            $"SELECT engine, create_table_query FROM system.tables WHERE database = {ClickHouseSql.QuoteString(Database)} AND name = {ClickHouseSql.QuoteString(name)}",
            null,
            cancellationToken).ConfigureAwait(false);
        if (existing.Count == 1)
        {
            var engine = existing[0].GetString(0);
            if (!string.Equals(engine, "View", StringComparison.Ordinal))
            {
                LogAnalystViewBlocked(_logger, name, engine);
                return;
            }

            if (existing[0].GetString(1).Contains(schema.TableName, StringComparison.Ordinal))
            {
                return;
            }

            await _client.ExecuteAsync($"DROP TABLE IF EXISTS {ClickHouseSql.QualifiedName(Database, name)}", IdempotentCall, cancellationToken)
                .ConfigureAwait(false);
        }

        try
        {
            await _client.ExecuteAsync(schema.CreateAnalystViewSql(Database), null, cancellationToken).ConfigureAwait(false);
            LogAnalystView(_logger, name, schema.TableName);
        }
        catch (ClickHouseException ex) when (ex.ErrorCode == TableAlreadyExists)
        {
            // Another instance created it between our check and our CREATE; it points at the same version.
            LogAnalystViewRace(_logger, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View}: speed table {Table} is current")]
    private static partial void LogTableCurrent(ILogger logger, string view, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View}: first speed table version {Table} recorded")]
    private static partial void LogTableCreated(ILogger logger, string view, string table);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "View {View}: definition changed, new table version {Version} ({Table}); the previous version {PreviousVersion} ({PreviousTable}) is left untouched and no longer written")]
    private static partial void LogDefinitionChanged(ILogger logger, string view, string version, string table, string previousVersion, string? previousTable);

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View}: deletion of the speed deltas a batch view covers in {Partitions} partitions of {Table} requested (a ClickHouse mutation)")]
    private static partial void LogCoveredDeltasDropped(ILogger logger, string table, string view, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Analyst view {Name} now reads {Table}")]
    private static partial void LogAnalystView(ILogger logger, string name, string table);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Analyst view {Name} was created concurrently by another instance")]
    private static partial void LogAnalystViewRace(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Analyst view {Name} not created: a {Engine} table of that name exists and is left alone")]
    private static partial void LogAnalystViewBlocked(ILogger logger, string name, string engine);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Speed table {Table} of view {View} does not exist yet; read as empty")]
    private static partial void LogTableMissing(ILogger logger, string table, string view);
}
