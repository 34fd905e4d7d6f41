using System.Globalization;
using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.SpeedViews;

/// <summary>
/// Queries on the speed table format that more than one owner runs (the speed layer to resume, the serving layer to
/// bound a read), and how a table that does not exist yet shows up.
/// </summary>
public static class SpeedTableQueries
{
    /// <summary>ClickHouse's UNKNOWN_TABLE error code.</summary>
    private const int UnknownTable = 60;

    /// <summary>ClickHouse's UNKNOWN_DATABASE error code: nothing created yet reads as empty, like a missing table.</summary>
    private const int UnknownDatabase = 81;

    /// <summary>True when <paramref name="exception"/> says the table (or its database) does not exist yet: it holds no rows.</summary>
    public static bool IsMissingTable(ClickHouseException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.ErrorCode is UnknownTable or UnknownDatabase;
    }

    /// <summary>
    /// <c>SELECT partition, max(last_offset)</c> per partition of <paramref name="schema"/>'s table (delta and marker rows).
    /// With <paramref name="since"/>, only rows whose <c>last_offset</c> is &gt;= since[p] count for the listed partitions;
    /// partitions it does not list count with every row, so partitions the caller has not seen yet are found too. Both are
    /// ranges of the sort key (partition, last_offset), so ClickHouse reads a few granules per listed partition however
    /// large the table is (a <c>NOT IN</c> list of the others made 18.16 read the whole table). Only rows that count under
    /// <paramref name="fences"/> are read (<see cref="SpeedFences"/>; null: every row).
    /// </summary>
    public static string MaxOffsetsSql(string database, SpeedTableSchema schema, IReadOnlyDictionary<int, long>? since = null, SpeedFences? fences = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var listed = since?.ToDictionary(f => f.Key, f => (long?)f.Value) ?? new Dictionary<int, long?>();
        return MaxOffsetsSql(database, schema, And(ProgressCondition(listed, othersToo: true), fences?.Condition()));
    }

    /// <summary>
    /// <c>SELECT partition, max(last_offset)</c> for the partitions <paramref name="from"/> lists only, each over the rows
    /// whose <c>last_offset</c> is &gt;= from[p] (null: every row of the partition); sort-key ranges as
    /// <see cref="MaxOffsetsSql(string, SpeedTableSchema, IReadOnlyDictionary{int, long})"/>.
    /// </summary>
    public static string MaxOffsetsOfSql(string database, SpeedTableSchema schema, IReadOnlyDictionary<int, long?> from, SpeedFences? fences = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(from);
        if (from.Count == 0)
        {
            throw new ArgumentException("at least one partition is needed", nameof(from));
        }

        return MaxOffsetsSql(database, schema, And(ProgressCondition(from, othersToo: false), fences?.Condition(from)));
    }

    /// <summary>
    /// <c>SELECT toUInt32(max(flushed_at))</c> (seconds since 1970; 0 for no row) over the rows
    /// <see cref="MaxOffsetsSql(string, SpeedTableSchema, IReadOnlyDictionary{int, long})"/> reads for the same
    /// <paramref name="since"/>: the newest flush of a partition is its row with the largest <c>last_offset</c>.
    /// </summary>
    public static string NewestFlushSql(string database, SpeedTableSchema schema, IReadOnlyDictionary<int, long>? since = null, SpeedFences? fences = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var listed = since?.ToDictionary(f => f.Key, f => (long?)f.Value) ?? new Dictionary<int, long?>();
        var condition = And(ProgressCondition(listed, othersToo: true), fences?.Condition());
        // As seconds since 1970: an empty table's max is the zero DateTime, which ClickHouse 18.16 prints as 0000-00-00.
        return $"SELECT toUInt32(max({ClickHouseSql.QuoteIdentifier(SpeedTableSchema.FlushedAtColumn)})) FROM {ClickHouseSql.QualifiedName(database, schema.TableName)}"
            + (condition is null ? string.Empty : " WHERE " + condition);
    }

    /// <summary>
    /// Runs <see cref="MaxOffsetsSql(string, SpeedTableSchema, IReadOnlyDictionary{int, long})"/> on <paramref name="client"/>'s database: per partition, the largest <c>last_offset</c>
    /// stored for the view. A table (or database) not created yet holds nothing: empty. <paramref name="call"/>: per-call
    /// options, e.g. a <c>max_execution_time</c> for a reader that answers a request. Only rows that count under the table's
    /// fences are read: <paramref name="fences"/>, or the fences stored now when null.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, long>> ReadMaxOffsetsAsync(
        IClickHouseClient client,
        SpeedTableSchema schema,
        IReadOnlyDictionary<int, long>? since,
        CancellationToken cancellationToken,
        ClickHouseCallOptions? call = null,
        SpeedFences? fences = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        fences ??= await SpeedFences.ReadAsync(client, schema, cancellationToken, call).ConfigureAwait(false);
        return await ReadPerPartitionAsync(client, MaxOffsetsSql(client.Database, schema, since, fences), call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <see cref="MaxOffsetsOfSql"/>: per listed partition, the largest <c>last_offset</c> at or above its bound; a
    /// partition without such a row is absent, and so is everything when <paramref name="from"/> is empty. Only rows that
    /// count under <paramref name="fences"/> (null: the table's fences stored now) are read.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, long>> ReadMaxOffsetsOfAsync(
        IClickHouseClient client,
        SpeedTableSchema schema,
        IReadOnlyDictionary<int, long?> from,
        CancellationToken cancellationToken,
        ClickHouseCallOptions? call = null,
        SpeedFences? fences = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(from);
        if (from.Count == 0)
        {
            return new Dictionary<int, long>();
        }

        fences ??= await SpeedFences.ReadAsync(client, schema, cancellationToken, call).ConfigureAwait(false);
        return await ReadPerPartitionAsync(client, MaxOffsetsOfSql(client.Database, schema, from, fences), call, cancellationToken).ConfigureAwait(false);
    }

    private static string MaxOffsetsSql(string database, SpeedTableSchema schema, string? condition)
    {
        var partition = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);
        var lastOffset = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.LastOffsetColumn);
        return $"SELECT {partition}, max({lastOffset}) FROM {ClickHouseSql.QualifiedName(database, schema.TableName)}"
            + (condition is null ? string.Empty : " WHERE " + condition)
            + $" GROUP BY {partition}";
    }

    /// <summary>
    /// The WHERE condition over sort-key ranges: per listed partition <c>partition = p [AND last_offset &gt;= bound]</c>, and
    /// with <paramref name="othersToo"/> the partition ranges between the listed ones (<see cref="SpeedPartitionRanges.Outside"/>).
    /// Null when nothing is listed and every row counts.
    /// </summary>
    private static string? ProgressCondition(IReadOnlyDictionary<int, long?> listed, bool othersToo)
    {
        if (listed.Count == 0)
        {
            return othersToo ? null : throw new ArgumentException("at least one partition is needed", nameof(listed));
        }

        var partition = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);
        var lastOffset = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.LastOffsetColumn);
        var keys = listed.Keys.Order().ToArray();
        var conditions = keys.Select(k => listed[k] is { } bound
            ? Invariant($"({partition} = {k} AND {lastOffset} >= {bound})")
            : Invariant($"({partition} = {k})")).ToList();
        if (othersToo)
        {
            conditions.AddRange(SpeedPartitionRanges.Outside(keys));
        }

        return string.Join(" OR ", conditions);
    }

    /// <summary>Both conditions (either may be null: no condition).</summary>
    private static string? And(string? first, string? second) =>
        first is null ? second : second is null ? first : $"({first}) AND {second}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>SELECT partition, min(first_offset)</c> per partition of <paramref name="schema"/>'s table (delta and marker rows).</summary>
    public static string MinFirstOffsetsSql(string database, SpeedTableSchema schema, SpeedFences? fences = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var partition = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);
        var firstOffset = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.FirstOffsetColumn);
        var condition = fences?.Condition();
        return $"SELECT {partition}, min({firstOffset}) FROM {ClickHouseSql.QualifiedName(database, schema.TableName)}"
            + (condition is null ? string.Empty : " WHERE " + condition)
            + $" GROUP BY {partition}";
    }

    /// <summary>
    /// Runs <see cref="MinFirstOffsetsSql"/>: per partition, the smallest <c>first_offset</c> stored for the view, i.e. the
    /// offset its speed deltas start at. A table (or database) not created yet holds nothing: empty.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, long>> ReadMinFirstOffsetsAsync(
        IClickHouseClient client, SpeedTableSchema schema, CancellationToken cancellationToken, ClickHouseCallOptions? call = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var fences = await SpeedFences.ReadAsync(client, schema, cancellationToken, call).ConfigureAwait(false);
        return await ReadPerPartitionAsync(client, MinFirstOffsetsSql(client.Database, schema, fences), call, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyDictionary<int, long>> ReadPerPartitionAsync(
        IClickHouseClient client, string sql, ClickHouseCallOptions? call, CancellationToken cancellationToken)
    {
        try
        {
            var rows = await client.QueryRowsAsync(sql, call, cancellationToken).ConfigureAwait(false);
            return rows.ToDictionary(r => (int)r.GetInt64(0), r => r.GetInt64(1));
        }
        catch (ClickHouseException ex) when (IsMissingTable(ex))
        {
            return new Dictionary<int, long>();
        }
    }
}
