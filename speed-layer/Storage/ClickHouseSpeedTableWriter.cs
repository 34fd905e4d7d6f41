using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;
using Microsoft.Extensions.Logging;

using Lambda.Shared.SpeedViews;

namespace Lambda.SpeedLayer.Storage;

/// <summary>
/// <see cref="ISpeedTableWriter"/> over the shared speed table format (<see cref="SpeedTableSchema"/>,
/// <see cref="SpeedRowWriter"/>) and the shared HTTP client (works with ClickHouse 18.16 and later).
/// </summary>
public sealed partial class ClickHouseSpeedTableWriter : ISpeedTableWriter
{
    /// <summary>ClickHouse's TABLE_ALREADY_EXISTS error code.</summary>
    private const int TableAlreadyExists = 57;

    /// <summary>ClickHouse's DUPLICATE_COLUMN error code.</summary>
    private const int DuplicateColumn = 15;

    private static readonly ClickHouseCallOptions IdempotentCall = new() { Idempotent = true };
    /// <summary>
    /// Inserts are gzip-compressed for atomicity, not size: ClickHouse 18.16 commits the rows of a chunked
    /// body cut short (writer killed between chunks), but rejects a gzip body without its trailer.
    /// </summary>
    private static readonly ClickHouseCallOptions InsertCall = new() { Idempotent = false, Compress = true };

    private readonly IClickHouseClient _client;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SpeedFences> _ownFences = new(StringComparer.Ordinal);
    private readonly ILogger<ClickHouseSpeedTableWriter> _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over <paramref name="client"/> (its database holds the speed tables).</summary>
    public ClickHouseSpeedTableWriter(IClickHouseClient client, ILogger<ClickHouseSpeedTableWriter> logger, TimeProvider? timeProvider = null)
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
        await _client.ExecuteAsync(SpeedFences.CreateTableSql(Database), IdempotentCall, cancellationToken).ConfigureAwait(false);
        var result = new List<SpeedTableVersion>(schemas.Length);
        foreach (var schema in schemas)
        {
            await _client.ExecuteAsync(schema.CreateTableSql(Database), IdempotentCall, cancellationToken).ConfigureAwait(false);
            await EnsureFencingTokenColumnAsync(schema, cancellationToken).ConfigureAwait(false);
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
    public Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        return SpeedTableQueries.ReadMaxOffsetsAsync(_client, SpeedTableSchema.For(view), null, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(
        ViewDefinition view, IReadOnlyDictionary<int, long?> from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(from);
        return SpeedTableQueries.ReadMaxOffsetsOfAsync(_client, SpeedTableSchema.For(view), from, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsBeforeInsertAsync(
        ViewDefinition view, IReadOnlyDictionary<int, long?> from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(from);
        var schema = SpeedTableSchema.For(view);
        if (!_ownFences.TryGetValue(schema.TableName, out var fences))
        {
            fences = await SpeedFences.ReadAsync(_client, schema, cancellationToken).ConfigureAwait(false);
            _ownFences[schema.TableName] = fences;
        }

        return from.Count == 0
            ? new Dictionary<int, long>()
            : await SpeedTableQueries.ReadMaxOffsetsOfAsync(_client, schema, from, cancellationToken, fences: fences).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task WriteFencesAsync(ViewDefinition view, IReadOnlyList<SpeedFence> fences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(fences);
        if (fences.Count == 0)
        {
            return;
        }

        var table = SpeedTableSchema.TableNameOf(view);
        var created = _time.GetUtcNow().UtcDateTime;
        await _client.InsertAsync(
            SpeedFences.TableName,
            ["table", "partition", "token", "start_offset", "created"],
            fences.Select(f => (Table: table, Fence: f, Created: created)).ToArray(),
            static (w, r) =>
            {
                w.WriteString(r.Table);
                w.WriteUInt16((ushort)r.Fence.Partition);
                w.WriteUInt64((ulong)r.Fence.Token);
                w.WriteInt64(r.Fence.StartOffset);
                w.WriteDateTime(r.Created);
            },
            // The same fence twice changes nothing: the rule keeps a token's smallest start.
            IdempotentCall,
            cancellationToken).ConfigureAwait(false);
        LogFences(_logger, view.Name, fences.Count, fences.Min(f => f.Token), fences.Max(f => f.Token));
        _ownFences[table] = await SpeedFences.ReadAsync(_client, SpeedTableSchema.For(view), cancellationToken).ConfigureAwait(false);
    }

    private static string Q(string identifier) => ClickHouseSql.QuoteIdentifier(identifier);

    /// <summary>A table created before fencing existed gets <c>fencing_token</c> (default 0: its rows count as token 0).</summary>
    private async Task EnsureFencingTokenColumnAsync(SpeedTableSchema schema, CancellationToken cancellationToken)
    {
        var present = await _client.QueryRowsAsync(
            $"SELECT count() FROM system.columns WHERE database = {ClickHouseSql.QuoteString(Database)} AND table = {ClickHouseSql.QuoteString(schema.TableName)} "
            + $"AND name = {ClickHouseSql.QuoteString(SpeedTableSchema.FencingTokenColumn)}",
            null,
            cancellationToken).ConfigureAwait(false);
        if (present[0].GetInt64(0) > 0)
        {
            return;
        }

        try
        {
            await _client.ExecuteAsync(schema.AddFencingTokenColumnSql(Database), null, cancellationToken).ConfigureAwait(false);
            LogFencingColumnAdded(_logger, schema.TableName);
        }
        catch (ClickHouseException ex) when (ex.ErrorCode == DuplicateColumn)
        {
            // Another instance added it between our check and our ALTER.
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

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View}: {Count} fence(s) recorded, tokens {First}..{Last}")]
    private static partial void LogFences(ILogger logger, string view, int count, long first, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Speed table {Table} was created before fencing: column fencing_token added (its rows count as token 0)")]
    private static partial void LogFencingColumnAdded(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Analyst view {Name} now reads {Table}")]
    private static partial void LogAnalystView(ILogger logger, string name, string table);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Analyst view {Name} was created concurrently by another instance")]
    private static partial void LogAnalystViewRace(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Analyst view {Name} not created: a {Engine} table of that name exists and is left alone")]
    private static partial void LogAnalystViewBlocked(ILogger logger, string name, string engine);
}
