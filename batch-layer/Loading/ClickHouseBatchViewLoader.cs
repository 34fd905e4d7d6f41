using System.Collections.Concurrent;
using System.Globalization;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// Loads days of a view into <see cref="BatchTable"/> through a staging table: the days' rows, read with the
/// shared <see cref="BatchViewReader"/> in batches (<see cref="DayFileBatch"/>), are inserted into
/// <c>&lt;table&gt;__staging</c> (same structure) with one <c>INSERT</c> per batch, then one
/// <c>ALTER TABLE t REPLACE PARTITION '&lt;day1&gt;' FROM staging, REPLACE PARTITION '&lt;day2&gt;' FROM staging, ...</c>
/// swaps each day in one step (ClickHouse 18.16+; <see cref="StagedPartitionReplacer"/>). An empty file empties the day with <c>DROP PARTITION</c> (current
/// releases refuse to replace a partition from a staging table without rows in it). Callers serialise loads of a table
/// (the recompute lock), which is why one staging table per target table is enough.
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
    private readonly StagedPartitionReplacer _replacer;
    private readonly ConcurrentDictionary<string, bool> _ensured = new(StringComparer.Ordinal);
    private volatile bool _loadsTableEnsured;

    /// <summary>Creates the loader.</summary>
    public ClickHouseBatchViewLoader(IClickHouseClient client, BatchViewReader reader, TimeProvider time, ILogger<ClickHouseBatchViewLoader> logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _replacer = new StagedPartitionReplacer(client, logger);
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
    public async Task<long> LoadDaysAsync(ViewDefinition view, IReadOnlyList<BatchDayFile> days, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(days);
        var table = BatchTable.For(view);
        long loaded = 0;

        // Each batch is read (and checked) whole before it touches ClickHouse: a bad file changes nothing of its batch there.
        await foreach (var batch in DayFileBatch.ReadAsync(_reader, view, days, cancellationToken).ConfigureAwait(false))
        {
            var started = _time.GetTimestamp();
            await EnsureTableAsync(table, cancellationToken).ConfigureAwait(false);
            var target = ClickHouseSql.QualifiedName(_client.Database, table.Name);
            await _replacer.ReplaceAsync(
                table.Name,
                StagingTableName(table.Name),
                table.Columns.Select(c => c.Name).ToArray(),
                batch,
                (writer, _, group) => table.WriteRow(writer, group),
                d => PartitionOf(d.Day.Day),
                cancellationToken).ConfigureAwait(false);

            // A day without rows is dropped rather than replaced from a staging table without rows in it: ClickHouse 18.16
            // empties the day either way, current releases refuse REPLACE PARTITION from a source without a part in that
            // partition (it "would silently drop the destination partition's data"). Dropping a partition that holds
            // nothing is a no-op on both.
            var empty = batch.Where(d => d.Groups.Count == 0).Select(d => "DROP PARTITION " + PartitionOf(d.Day.Day)).ToArray();
            if (empty.Length > 0)
            {
                await _client.ExecuteAsync($"ALTER TABLE {target} {string.Join(", ", empty)}", new ClickHouseCallOptions { Idempotent = true }, cancellationToken)
                    .ConfigureAwait(false);
            }

            await RecordLoadsAsync(table, batch, cancellationToken).ConfigureAwait(false);
            var rows = batch.Sum(d => (long)d.Groups.Count);
            loaded += rows;
            _logger.LogInformation(
                "Loaded {Rows} rows of view {View}, {Days} days {First:yyyy-MM-dd}..{Last:yyyy-MM-dd} (runs {RunIds}) into ClickHouse table {Table} in {Milliseconds} ms",
                rows,
                view.Name,
                batch.Count,
                batch[0].Day.Day,
                batch[^1].Day.Day,
                string.Join(",", batch.Select(d => d.Day.RunId).Distinct(StringComparer.Ordinal)),
                table.Name,
                (long)_time.GetElapsedTime(started).TotalMilliseconds);
        }

        return loaded;
    }

    private static string PartitionOf(DateOnly day) => ClickHouseSql.QuoteString(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    private async Task RecordLoadsAsync(BatchTable table, IReadOnlyList<LoadedDayFile> days, CancellationToken cancellationToken)
    {
        await EnsureLoadsTableAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();

        // Each version must exceed its day's current record even when two loads fall in the same millisecond or a host's
        // clock lags another's; loads are serialised (the recompute lock), so max + 1 read here cannot race. A retried
        // insert only adds identical records.
        var current = new Dictionary<DateOnly, ulong>();
        var rows = await _client.QueryRowsAsync(
            $"SELECT day, max(version) FROM {ClickHouseSql.QualifiedName(_client.Database, LoadsTable)} "
            + $"WHERE table = {ClickHouseSql.QuoteString(table.Name)} GROUP BY day",
            null,
            cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            current[row.GetDate(0)] = row.GetUInt64(1);
        }

        var nowVersion = (ulong)now.ToUnixTimeMilliseconds();
        await _client.InsertAsync(
            LoadsTable,
            ["table", "day", "run_id", "file", "rows", "loaded_at", "version"],
            days,
            (w, d) =>
            {
                w.WriteString(table.Name);
                w.WriteDate(d.Day.Day);
                w.WriteString(d.Day.RunId);
                w.WriteString(d.Day.File);
                w.WriteUInt64((ulong)d.Groups.Count);
                w.WriteDateTime(now);
                w.WriteUInt64(current.TryGetValue(d.Day.Day, out var version) ? Math.Max(nowVersion, version + 1) : nowVersion);
            },
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
