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
    /// With <paramref name="since"/>, only rows whose <c>last_offset</c> is &gt;= since[p] count for the listed partitions
    /// (the primary key (partition, last_offset) keeps that small however large the table is); partitions it does not
    /// list count with every row, so partitions the caller has not seen yet are found too.
    /// </summary>
    public static string MaxOffsetsSql(string database, SpeedTableSchema schema, IReadOnlyDictionary<int, long>? since = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var partition = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);
        var lastOffset = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.LastOffsetColumn);
        var sql = $"SELECT {partition}, max({lastOffset}) FROM {ClickHouseSql.QualifiedName(database, schema.TableName)}";
        if (since is { Count: > 0 })
        {
            var ordered = since.OrderBy(f => f.Key).ToArray();
            var conditions = ordered.Select(f => string.Create(CultureInfo.InvariantCulture, $"({partition} = {f.Key} AND {lastOffset} >= {f.Value})"));
            sql += $" WHERE {string.Join(" OR ", conditions)} OR {partition} NOT IN ({string.Join(", ", ordered.Select(f => f.Key.ToString(CultureInfo.InvariantCulture)))})";
        }

        return sql + $" GROUP BY {partition}";
    }

    /// <summary>
    /// Runs <see cref="MaxOffsetsSql"/> on <paramref name="client"/>'s database: per partition, the largest <c>last_offset</c>
    /// stored for the view. A table (or database) not created yet holds nothing: empty. <paramref name="call"/>: per-call
    /// options, e.g. a <c>max_execution_time</c> for a reader that answers a request.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, long>> ReadMaxOffsetsAsync(
        IClickHouseClient client,
        SpeedTableSchema schema,
        IReadOnlyDictionary<int, long>? since,
        CancellationToken cancellationToken,
        ClickHouseCallOptions? call = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await ReadPerPartitionAsync(client, MaxOffsetsSql(client.Database, schema, since), call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>SELECT partition, min(first_offset)</c> per partition of <paramref name="schema"/>'s table (delta and marker rows).</summary>
    public static string MinFirstOffsetsSql(string database, SpeedTableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var partition = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);
        var firstOffset = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.FirstOffsetColumn);
        return $"SELECT {partition}, min({firstOffset}) FROM {ClickHouseSql.QualifiedName(database, schema.TableName)} GROUP BY {partition}";
    }

    /// <summary>
    /// Runs <see cref="MinFirstOffsetsSql"/>: per partition, the smallest <c>first_offset</c> stored for the view, i.e. the
    /// offset its speed deltas start at. A table (or database) not created yet holds nothing: empty.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, long>> ReadMinFirstOffsetsAsync(
        IClickHouseClient client, SpeedTableSchema schema, CancellationToken cancellationToken, ClickHouseCallOptions? call = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await ReadPerPartitionAsync(client, MinFirstOffsetsSql(client.Database, schema), call, cancellationToken).ConfigureAwait(false);
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
