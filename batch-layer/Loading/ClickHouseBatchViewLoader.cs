using System.Collections.Concurrent;
using System.Globalization;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Time;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// Loads a (view, day) into <see cref="BatchTable"/> through a staging table: the day's rows, read with the
/// shared <see cref="BatchViewReader"/>, are
/// inserted into <c>&lt;table&gt;__staging</c> (same structure), then
/// <c>ALTER TABLE t REPLACE PARTITION '&lt;day&gt;' FROM staging</c> swaps the day in one step
/// (ClickHouse 18.16+). An empty file empties the day with <c>DROP PARTITION</c> (current releases refuse to
/// replace a partition from a staging table without rows in it). Callers serialise loads (the recompute lock),
/// which is why one staging table per target table is enough.
/// </summary>
/// <remarks>
/// Which file each day of a table holds is recorded in <see cref="LoadsTable"/>, beside the data, after the swap; why
/// there and not in PostgreSQL: docs/design-notes.md, "Batch views, the manifest and the recompute".
/// </remarks>
public sealed class ClickHouseBatchViewLoader : IBatchViewLoader
{
    /// <summary>The metadata table listing every batch table version (like the speed layer's <c>speed_tables</c>).</summary>
    public const string TablesTable = "batch_tables";

    /// <summary>
    /// The table recording, per batch table and day, the published file last loaded into it (ReplacingMergeTree;
    /// the row with the highest <c>version</c> of a (table, day) is the current one).
    /// </summary>
    public const string LoadsTable = "batch_loads";

    private readonly IClickHouseClient _client;
    private readonly BatchViewReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger<ClickHouseBatchViewLoader> _logger;
    private readonly ConcurrentDictionary<string, bool> _ensured = new(StringComparer.Ordinal);
    private volatile bool _loadsTableEnsured;

    /// <summary>Creates the loader.</summary>
    public ClickHouseBatchViewLoader(IClickHouseClient client, BatchViewReader reader, TimeProvider time, ILogger<ClickHouseBatchViewLoader> logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The staging table of <paramref name="table"/>.</summary>
    public static string StagingTableName(string table) => table + "__staging";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<DateOnly, LoadedBatchDay>> GetLoadedDaysAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        await EnsureLoadsTableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await _client.QueryRowsAsync(
            "SELECT day, argMax(run_id, version), argMax(file, version), argMax(rows, version), argMax(loaded_at, version) "
            + $"FROM {ClickHouseSql.QualifiedName(_client.Database, LoadsTable)} "
            + $"WHERE table = {ClickHouseSql.QuoteString(BatchTable.TableName(view))} GROUP BY day",
            null,
            cancellationToken).ConfigureAwait(false);
        var days = new Dictionary<DateOnly, LoadedBatchDay>(rows.Count);
        foreach (var row in rows)
        {
            var day = row.GetDate(0);
            days[day] = new LoadedBatchDay(day, row.GetString(1), row.GetString(2), (long)row.GetUInt64(3), new DateTimeOffset(row.GetDateTime(4)));
        }

        return days;
    }

    /// <inheritdoc />
    public async Task<long> LoadDayAsync(ViewDefinition view, BatchViewDay day, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(day);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var table = BatchTable.For(view);

        // Read (and check) the whole day before touching ClickHouse: a bad file changes nothing there.
        var groups = await _reader.ReadFileAsync(path, view, cancellationToken).ConfigureAwait(false);
        var dayStart = UtcDay.Start(day.Day);
        var dayEnd = dayStart + GranularityExtensions.DayMilliseconds;
        foreach (var group in groups)
        {
            if (group.BucketStartMilliseconds < dayStart || group.BucketStartMilliseconds >= dayEnd)
            {
                throw new InvalidDataException($"{path} holds a row of bucket {group.BucketStart:O}, outside its day {day.Day:yyyy-MM-dd}.");
            }
        }

        await EnsureTableAsync(table, cancellationToken).ConfigureAwait(false);

        var target = ClickHouseSql.QualifiedName(_client.Database, table.Name);
        var partition = ClickHouseSql.QuoteString(day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (groups.Count == 0)
        {
            // A day without rows is dropped rather than replaced from an empty staging table: ClickHouse 18.16
            // empties the day either way, current releases refuse REPLACE PARTITION from a source without a part
            // in that partition (it "would silently drop the destination partition's data"). Dropping a
            // partition that holds nothing is a no-op on both.
            await _client.ExecuteAsync(
                $"ALTER TABLE {target} DROP PARTITION {partition}", new ClickHouseCallOptions { Idempotent = true }, cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            await ReplaceDayAsync(table, target, partition, groups, cancellationToken).ConfigureAwait(false);
        }

        await RecordLoadAsync(table, day, groups.Count, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation(
            "Loaded {Rows} rows of view {View} day {Day:yyyy-MM-dd} (run {RunId}, {File}) into ClickHouse table {Table}",
            groups.Count,
            view.Name,
            day.Day,
            day.RunId,
            day.File,
            table.Name);
        return groups.Count;
    }

    private async Task ReplaceDayAsync(
        BatchTable table, string target, string partition, IReadOnlyList<ViewGroup> groups, CancellationToken cancellationToken)
    {
        var stagingName = StagingTableName(table.Name);
        var staging = ClickHouseSql.QualifiedName(_client.Database, stagingName);
        var idempotent = new ClickHouseCallOptions { Idempotent = true };

        // A staging table left by a crashed load may hold rows; start from an empty one.
        await _client.ExecuteAsync($"DROP TABLE IF EXISTS {staging}", idempotent, cancellationToken).ConfigureAwait(false);
        await _client.ExecuteAsync($"CREATE TABLE {staging} AS {target}", idempotent, cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.InsertAsync(
                stagingName,
                table.Columns.Select(c => c.Name).ToArray(),
                async (writer, token) =>
                {
                    foreach (var group in groups)
                    {
                        table.WriteRow(writer, group);
                        await writer.FlushIfNeededAsync(token).ConfigureAwait(false);
                    }
                },
                null,
                cancellationToken).ConfigureAwait(false);

            await _client.ExecuteAsync($"ALTER TABLE {target} REPLACE PARTITION {partition} FROM {staging}", idempotent, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await _client.ExecuteAsync($"DROP TABLE IF EXISTS {staging}", idempotent, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ClickHouseException ex)
            {
                // Harmless: the next load of this table drops it before use.
                _logger.LogWarning(ex, "Could not drop staging table {Table}", stagingName);
            }
        }
    }

    private async Task RecordLoadAsync(BatchTable table, BatchViewDay day, long rows, CancellationToken cancellationToken)
    {
        await EnsureLoadsTableAsync(cancellationToken).ConfigureAwait(false);
        var loads = ClickHouseSql.QualifiedName(_client.Database, LoadsTable);
        var now = _time.GetUtcNow();
        var tableName = ClickHouseSql.QuoteString(table.Name);
        var dayLiteral = ClickHouseSql.DateLiteral(day.Day);

        // The version must exceed the day's current record even when two loads fall in the same millisecond or
        // a host's clock lags another's; loads are serialised (the recompute lock), so max + 1 cannot race.
        // A retried insert only adds an identical record with a higher version.
        await _client.ExecuteAsync(
            $"INSERT INTO {loads} (table, day, run_id, file, rows, loaded_at, version) "
            + $"SELECT {tableName}, {dayLiteral}, {ClickHouseSql.QuoteString(day.RunId)}, {ClickHouseSql.QuoteString(day.File)}, "
            + $"toUInt64({rows.ToString(CultureInfo.InvariantCulture)}), {ClickHouseSql.DateTimeLiteral(now.UtcDateTime)}, "
            + $"greatest(toUInt64({now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}), max(version) + 1) "
            + $"FROM {loads} WHERE table = {tableName} AND day = {dayLiteral}",
            new ClickHouseCallOptions { Idempotent = true },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureLoadsTableAsync(CancellationToken cancellationToken)
    {
        if (_loadsTableEnsured)
        {
            return;
        }

        await _client.EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await _client.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(_client.Database, LoadsTable)} "
            + "(table String, day Date, run_id String, file String, rows UInt64, loaded_at DateTime, version UInt64) "
            + "ENGINE = ReplacingMergeTree(version) ORDER BY (table, day)",
            new ClickHouseCallOptions { Idempotent = true },
            cancellationToken).ConfigureAwait(false);
        _loadsTableEnsured = true;
    }

    private async Task EnsureTableAsync(BatchTable table, CancellationToken cancellationToken)
    {
        if (_ensured.ContainsKey(table.Name))
        {
            return;
        }

        var idempotent = new ClickHouseCallOptions { Idempotent = true };
        await _client.EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await _client.ExecuteAsync(table.CreateTableSql(_client.Database), idempotent, cancellationToken).ConfigureAwait(false);
        await _client.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(_client.Database, TablesTable)} "
            + "(view String, version String, table String, definition String, created DateTime) "
            + "ENGINE = ReplacingMergeTree ORDER BY (view, version)",
            idempotent,
            cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        await _client.InsertAsync(
            TablesTable,
            ["view", "version", "table", "definition", "created"],
            [table],
            (w, t) =>
            {
                w.WriteString(t.View.Name);
                w.WriteString(t.Version);
                w.WriteString(t.Name);
                w.WriteString(t.View.CanonicalForm);
                w.WriteDateTime(now);
            },
            idempotent,
            cancellationToken).ConfigureAwait(false);
        _ensured[table.Name] = true;
    }
}
