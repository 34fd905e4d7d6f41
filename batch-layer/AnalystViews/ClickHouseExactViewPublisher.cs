using System.Globalization;
using Lambda.BatchLayer.Loading;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Kafka.Epochs;
using Microsoft.Extensions.Logging;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.AnalystViews;

/// <summary>
/// <see cref="IExactViewPublisher"/> on ClickHouse (18.16 and current releases). Per catalog view, in this order: the
/// run-tagged batch table and the exact view exist; every (day, file run) the manifest entry names is in the table (each
/// swapped in with <c>REPLACE PARTITION</c> from a staging table, then recorded in <see cref="ExactViewTables.Files"/>);
/// the run's watermarks are in <see cref="ExactViewTables.Watermarks"/>; then the pointer row
/// (<see cref="ExactViewTables.CurrentRuns"/>) names the run; then the days only older runs named are dropped (those of
/// the run the pointer named before are kept, for queries that read that pointer an instant ago).
/// </summary>
public sealed partial class ClickHouseExactViewPublisher : IExactViewPublisher
{
    private const int TableAlreadyExists = 57;

    private static readonly ClickHouseCallOptions Idempotent = new() { Idempotent = true };

    private readonly IClickHouseClient _client;
    private readonly BatchViewReader _reader;
    private readonly LambdaCatalog _catalog;
    private readonly IManifestStore _manifests;
    private readonly TimeProvider _time;
    private readonly ILogger<ClickHouseExactViewPublisher> _logger;
    private readonly StagedPartitionReplacer _replacer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the publisher; <paramref name="manifests"/> is the dataset root whose files the manifest names.</summary>
    public ClickHouseExactViewPublisher(
        IClickHouseClient client,
        BatchViewReader reader,
        LambdaCatalog catalog,
        IManifestStore manifests,
        TimeProvider time,
        ILogger<ClickHouseExactViewPublisher> logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _manifests = manifests ?? throw new ArgumentNullException(nameof(manifests));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _replacer = new StagedPartitionReplacer(client, logger);
    }

    private string Database => _client.Database;

    /// <inheritdoc />
    public async Task<int> PublishAsync(BatchManifest? manifest, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
            await _client.ExecuteAsync(ExactViewTables.CreateCurrentRunsSql(Database), Idempotent, cancellationToken).ConfigureAwait(false);
            await _client.ExecuteAsync(ExactViewTables.CreateWatermarksSql(Database), Idempotent, cancellationToken).ConfigureAwait(false);
            await _client.ExecuteAsync(ExactViewTables.CreateFilesSql(Database), Idempotent, cancellationToken).ConfigureAwait(false);
            var loaded = 0;
            foreach (var view in _catalog.Views.OrderBy(v => v.Name, StringComparer.Ordinal))
            {
                var sql = ExactViewSql.For(view);
                await _client.ExecuteAsync(sql.CreateRunTableSql(Database), Idempotent, cancellationToken).ConfigureAwait(false);
                await _client.ExecuteAsync(sql.CreateSpeedTableSql(Database), Idempotent, cancellationToken).ConfigureAwait(false);
                await EnsureViewAsync(sql, cancellationToken).ConfigureAwait(false);
                var entry = manifest?.FindView(view.Name);
                if (entry is not null && string.Equals(entry.DefinitionHash, view.DefinitionHash, StringComparison.Ordinal))
                {
                    loaded += await PublishEntryAsync(sql, entry, cancellationToken).ConfigureAwait(false);
                }
            }

            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EnsureViewAsync(ExactViewSql sql, CancellationToken cancellationToken)
    {
        var existing = await _client.QueryRowsAsync(
            $"SELECT engine, create_table_query FROM system.tables WHERE database = {ClickHouseSql.QuoteString(Database)} AND name = {ClickHouseSql.QuoteString(sql.ViewName)}",
            null,
            cancellationToken).ConfigureAwait(false);
        if (existing.Count == 1)
        {
            var engine = existing[0].GetString(0);
            if (!string.Equals(engine, "View", StringComparison.Ordinal))
            {
                LogViewBlocked(_logger, sql.ViewName, engine);
                return;
            }

            if (sql.IsCurrent(existing[0].GetString(1)))
            {
                return;
            }

            // An older layout, another definition, or the speed-only view earlier releases kept under this name. ClickHouse 18.16
            // has no CREATE OR REPLACE: for the instant between DROP and CREATE the view is missing (a query fails, never mixes).
            await _client.ExecuteAsync($"DROP TABLE IF EXISTS {ClickHouseSql.QualifiedName(Database, sql.ViewName)}", Idempotent, cancellationToken)
                .ConfigureAwait(false);
        }

        try
        {
            await _client.ExecuteAsync(sql.CreateViewSql(Database), null, cancellationToken).ConfigureAwait(false);
            LogViewCreated(_logger, sql.ViewName, sql.RunTableName, sql.SpeedTableName);
        }
        catch (ClickHouseException ex) when (ex.ErrorCode == TableAlreadyExists)
        {
            // Another instance created it between our check and our CREATE; the next publish checks its text again.
            LogViewRace(_logger, sql.ViewName);
        }
    }

    private async Task<int> PublishEntryAsync(ExactViewSql sql, BatchViewEntry entry, CancellationToken cancellationToken)
    {
        var view = sql.View;
        var previous = await ReadPointerAsync(view, cancellationToken).ConfigureAwait(false);
        var version = (ulong)entry.ComputedAt.ToUnixTimeMilliseconds();
        if (previous is not null && (previous.Version > version || (previous.Version == version && previous.RunId == entry.RunId)))
        {
            // Already there, or a newer run is: a pointer never moves back.
            return 0;
        }

        var loaded = await LoadMissingDaysAsync(sql, entry, cancellationToken).ConfigureAwait(false);
        await WriteWatermarksAsync(view, entry, cancellationToken).ConfigureAwait(false);
        await WritePointerAsync(view, entry, version, cancellationToken).ConfigureAwait(false);
        LogPointerMoved(_logger, view.Name, previous?.RunId ?? "(none)", entry.RunId);
        await DropUnnamedDaysAsync(sql, entry, previous, cancellationToken).ConfigureAwait(false);
        return loaded;
    }

    private async Task<Pointer?> ReadPointerAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        var rows = await _client.QueryRowsAsync(
            "SELECT argMax(run_id, version), arrayStringConcat(arrayMap(d -> toString(d), argMax(days, version)), ','), "
            + "arrayStringConcat(argMax(day_runs, version), ','), max(version), count() "
            + $"FROM {ClickHouseSql.QualifiedName(Database, ExactViewTables.CurrentRuns)} "
            + $"WHERE view = {ClickHouseSql.QuoteString(view.Name)} AND definition_hash = {ClickHouseSql.QuoteString(view.DefinitionHash)}",
            null,
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0 || rows[0].GetUInt64(4) == 0)
        {
            return null;
        }

        var days = ParseArray(rows[0].GetString(1)).Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();
        var runs = ParseArray(rows[0].GetString(2));
        return new Pointer(rows[0].GetString(0), days.Zip(runs).ToHashSet(), rows[0].GetUInt64(3));
    }

    private async Task<int> LoadMissingDaysAsync(ExactViewSql sql, BatchViewEntry entry, CancellationToken cancellationToken)
    {
        var held = new HashSet<(DateOnly, string)>();
        var rows = await _client.QueryRowsAsync(
            $"SELECT DISTINCT day, file_run FROM {ClickHouseSql.QualifiedName(Database, ExactViewTables.Files)} WHERE table = {ClickHouseSql.QuoteString(sql.RunTableName)}",
            null,
            cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            held.Add((row.GetDate(0), row.GetString(1)));
        }

        var missing = entry.Days.Where(d => !held.Contains((d.Day, d.RunId)))
            .Select(d => new BatchDayFile(d, BatchViewLayout.Resolve(_manifests.Root, d.File)))
            .ToArray();
        var loaded = 0;
        await foreach (var batch in DayFileBatch.ReadAsync(_reader, sql.View, missing, cancellationToken).ConfigureAwait(false))
        {
            await LoadDaysAsync(sql, batch, cancellationToken).ConfigureAwait(false);
            loaded += batch.Count;
        }

        return loaded;
    }

    /// <summary>
    /// One staging table, one <c>INSERT</c> and one <c>ALTER</c> of <c>REPLACE PARTITION</c>s for the batch's days with rows,
    /// then one insert of their records: a publish costs a few statements per view, not per day.
    /// </summary>
    private async Task LoadDaysAsync(ExactViewSql sql, IReadOnlyList<LoadedDayFile> days, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();

        // A (day, run) partition is not read by the exact view before the pointer names it, but it may be named already (a
        // reload after ClickHouse lost the record): each swap keeps even that case atomic. Staging names are unique, so a
        // start-up publish and a recompute's never share one.
        var schema = Shared.SpeedViews.SpeedTableSchema.For(sql.View);
        await _replacer.ReplaceAsync(
            sql.RunTableName,
            sql.RunTableName + "__staging_" + Guid.NewGuid().ToString("N")[..8],
            sql.RunTableColumns,
            days,
            (writer, day, group) =>
            {
                writer.WriteString(day.Day.RunId);
                schema.WriteGroup(writer, group);
            },
            d => ExactViewSql.PartitionLiteral(d.Day.Day, d.Day.RunId),
            cancellationToken).ConfigureAwait(false);

        var now = _time.GetUtcNow();
        await _client.InsertAsync(
            ExactViewTables.Files,
            ["table", "day", "file_run", "file", "rows", "loaded_at"],
            days,
            (w, d) =>
            {
                w.WriteString(sql.RunTableName);
                w.WriteDate(d.Day.Day);
                w.WriteString(d.Day.RunId);
                w.WriteString(d.Day.File);
                w.WriteUInt64((ulong)d.Groups.Count);
                w.WriteDateTime(now);
            },
            Idempotent,
            cancellationToken).ConfigureAwait(false);
        LogDaysLoaded(
            _logger,
            days.Sum(d => (long)d.Groups.Count),
            sql.View.Name,
            days.Count,
            days[0].Day.Day,
            days[^1].Day.Day,
            sql.RunTableName,
            (long)_time.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task WriteWatermarksAsync(ViewDefinition view, BatchViewEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Watermarks.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        await _client.InsertAsync(
            ExactViewTables.Watermarks,
            ["run", "view", "definition_hash", "epoch", "partition", "offset", "position", "written_at"],
            entry.Watermarks.OrderBy(w => w.Key).ToArray(),
            (w, p) =>
            {
                w.WriteString(entry.RunId);
                w.WriteString(view.Name);
                w.WriteString(view.DefinitionHash);
                w.WriteUInt32((uint)KafkaPosition.EpochOf(p.Value));
                w.WriteUInt16((ushort)p.Key);
                w.WriteInt64(KafkaPosition.OffsetOf(p.Value));
                w.WriteInt64(p.Value);
                w.WriteDateTime(now);
            },
            Idempotent,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task WritePointerAsync(ViewDefinition view, BatchViewEntry entry, ulong version, CancellationToken cancellationToken)
    {
        var watermarks = entry.Watermarks.OrderBy(w => w.Key).ToArray();
        await _client.InsertAsync(
            ExactViewTables.CurrentRuns,
            ["view", "definition_hash", "run_id", "published_at", "days", "day_runs", "wm_partitions", "wm_positions", "version"],
            [entry],
            (w, e) =>
            {
                w.WriteString(view.Name);
                w.WriteString(view.DefinitionHash);
                w.WriteString(e.RunId);
                w.WriteDateTime(e.ComputedAt.UtcDateTime);
                w.WriteArrayLength(e.Days.Count);
                foreach (var d in e.Days)
                {
                    w.WriteDate(d.Day);
                }

                w.WriteArrayLength(e.Days.Count);
                foreach (var d in e.Days)
                {
                    w.WriteString(d.RunId);
                }

                w.WriteArrayLength(watermarks.Length);
                foreach (var p in watermarks)
                {
                    w.WriteUInt16((ushort)p.Key);
                }

                w.WriteArrayLength(watermarks.Length);
                foreach (var p in watermarks)
                {
                    w.WriteInt64(p.Value);
                }

                w.WriteUInt64(version);
            },
            Idempotent,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task DropUnnamedDaysAsync(ExactViewSql sql, BatchViewEntry entry, Pointer? previous, CancellationToken cancellationToken)
    {
        var keep = entry.Days.Select(d => (d.Day, d.RunId)).ToHashSet();
        if (previous is not null)
        {
            keep.UnionWith(previous.Days);
        }

        var files = ClickHouseSql.QualifiedName(Database, ExactViewTables.Files);
        var rows = await _client.QueryRowsAsync(
            $"SELECT DISTINCT day, file_run FROM {files} WHERE table = {ClickHouseSql.QuoteString(sql.RunTableName)}", null, cancellationToken).ConfigureAwait(false);
        var drop = rows.Select(r => (Day: r.GetDate(0), Run: r.GetString(1))).Where(key => !keep.Contains(key)).ToArray();

        // Once a manifest stops naming a day file it never names it again (docs/design-notes.md, "Retention"), so its rows
        // and record can go for good. One ALTER per chunk of partitions and one mutation of the records: on 18.16 every
        // ALTER ... DELETE rewrites the parts it touches, so one per day made a publish cost a rewrite per dropped day.
        foreach (var chunk in drop.Chunk(DayFileBatch.MaxDays))
        {
            var drops = chunk.Select(key => "DROP PARTITION " + ExactViewSql.PartitionLiteral(key.Day, key.Run));
            await _client.ExecuteAsync(
                $"ALTER TABLE {ClickHouseSql.QualifiedName(Database, sql.RunTableName)} {string.Join(", ", drops)}", Idempotent, cancellationToken)
                .ConfigureAwait(false);
            var keys = chunk.Select(key => $"({ClickHouseSql.DateLiteral(key.Day)}, {ClickHouseSql.QuoteString(key.Run)})");
            await _client.ExecuteAsync(
                $"ALTER TABLE {files} DELETE WHERE table = {ClickHouseSql.QuoteString(sql.RunTableName)} AND (day, file_run) IN ({string.Join(", ", keys)})",
                Idempotent,
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Splits a comma-joined list (dates, and run ids: <c>yyyyMMddTHHmmssfffZ-hex8</c>, no commas).</summary>
    private static string[] ParseArray(string text) => text.Length == 0 ? [] : text.Split(',');

    private sealed record Pointer(string RunId, HashSet<(DateOnly Day, string RunId)> Days, ulong Version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exact analyst view {Name} created over {RunTable} and {SpeedTable}")]
    private static partial void LogViewCreated(ILogger logger, string name, string runTable, string speedTable);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Exact analyst view {Name} was created concurrently by another instance")]
    private static partial void LogViewRace(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exact analyst view {Name} not created: a {Engine} table of that name exists and is left alone")]
    private static partial void LogViewBlocked(ILogger logger, string name, string engine);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exact analyst view {View} now reads run {RunId} (was {Previous})")]
    private static partial void LogPointerMoved(ILogger logger, string view, string previous, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Rows} rows of view {View}, {Days} days {First:yyyy-MM-dd}..{Last:yyyy-MM-dd}, into {Table} in {Milliseconds} ms")]
    private static partial void LogDaysLoaded(ILogger logger, long rows, string view, int days, DateOnly first, DateOnly last, string table, long milliseconds);
}
