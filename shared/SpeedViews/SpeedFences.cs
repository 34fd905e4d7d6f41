using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.SpeedViews;

/// <summary>
/// The read rule that fences off a speed-layer instance that lost its partitions (stalled, then woke up and flushed what
/// it still held), applied by every reader of the speed tables: the speed layer's resume and verify, the serving reader,
/// the batch layer's watermarks, the health sampler. Every assignment of a partition takes a fencing token (monotonic,
/// from PostgreSQL) and records a fence (token, start offset) before consuming; every row carries its writer's token.
/// <b>A row counts unless a fence of a higher token on its partition starts at or below the row's <c>last_offset</c></b>:
/// such a row reaches into offsets a later owner took over from the table's state, so the later owner covers them and the
/// row can only be a stale writer's. Design: docs/design-notes.md, "Speed-layer failover and fencing".
/// </summary>
/// <remarks>
/// A new owner's start is the stored end it found + 1, so every row written before it read the table lies below its start
/// and keeps counting, and every row a stale owner writes afterwards continues from that same end and reaches the start.
/// Rows of one token never overlap each other (one writer per view inserts in order), so what counts is a contiguous run
/// of flushes per partition, as before fencing. Rows written before fencing existed carry token 0.
/// </remarks>
public sealed class SpeedFences
{
    /// <summary>The fences table of a speed-table database (one row per view table, partition and assignment).</summary>
    public const string TableName = "speed_fences";

    private readonly SortedDictionary<int, (long Token, long Limit)[]> _bands = [];

    /// <summary>Builds the rule from the fences of one speed table (any order; a token met twice keeps its smallest start).</summary>
    public SpeedFences(IEnumerable<SpeedFence> fences)
    {
        ArgumentNullException.ThrowIfNull(fences);
        foreach (var partition in fences.GroupBy(f => f.Partition))
        {
            var byToken = partition.GroupBy(f => f.Token).Select(g => (Token: g.Key, Start: g.Min(f => f.StartOffset))).OrderBy(f => f.Token).ToArray();
            // Band k holds the tokens in [t_k, t_k+1) (band 0: below t_1, token long.MinValue); its rows count below
            // the smallest start of every later fence. The last band has no later fence: no limit.
            var bands = new (long Token, long Limit)[byToken.Length + 1];
            var limit = long.MaxValue;
            bands[^1] = (byToken[^1].Token, long.MaxValue);
            for (var k = byToken.Length - 1; k >= 0; k--)
            {
                limit = Math.Min(limit, byToken[k].Start);
                bands[k] = (k == 0 ? long.MinValue : byToken[k - 1].Token, limit);
            }

            _bands[partition.Key] = bands;
        }
    }

    /// <summary>No fence: every row counts (fencing off, or no partition ever changed hands).</summary>
    public static SpeedFences None { get; } = new([]);

    /// <summary>The partitions with at least one fence.</summary>
    public IReadOnlyCollection<int> Partitions => _bands.Keys;

    /// <summary>True when no partition has a fence.</summary>
    public bool IsEmpty => _bands.Count == 0;

    /// <summary>The rule for one row: does a row of <paramref name="partition"/> written with <paramref name="token"/> and ending at <paramref name="lastOffset"/> count?</summary>
    public bool Counts(int partition, long token, long lastOffset)
    {
        if (!_bands.TryGetValue(partition, out var bands))
        {
            return true;
        }

        for (var k = bands.Length - 1; k >= 0; k--)
        {
            if (token >= bands[k].Token)
            {
                return lastOffset < bands[k].Limit;
            }
        }

        return lastOffset < bands[0].Limit;
    }

    /// <summary>
    /// The rule as a ClickHouse condition over <c>partition</c>, <c>last_offset</c> and <c>fencing_token</c>, made of sort-key
    /// ranges so that it narrows a read rather than widening it; null when there is no fence (every row counts).
    /// Per fenced partition: <c>partition = p AND (last_offset &lt; L0 OR (fencing_token &gt;= t1 AND last_offset &lt; L1) OR ... OR fencing_token &gt;= tn)</c>;
    /// the other partitions through ranges between the fenced ones.
    /// </summary>
    public string? Condition()
    {
        if (IsEmpty)
        {
            return null;
        }

        var parts = _bands.Select(b => PartitionCondition(b.Key, b.Value, bound: null)).ToList();
        parts.AddRange(SpeedPartitionRanges.Outside(_bands.Keys.ToArray()));
        return "(" + string.Join(" OR ", parts) + ")";
    }

    /// <summary>
    /// The rule for a read of the <paramref name="listed"/> partitions only, each over its rows with <c>last_offset</c> at or
    /// above its bound (null: every row), as the speed layer's resume and verify-before-insert reads are. Bands whose limit
    /// lies at or below the bound cannot let such a row count and are left out, so the condition stays the size of the
    /// listed partitions' newest fences however often they changed hands; null when no listed partition has a fence.
    /// Rows of partitions not listed are not described: the caller's read must exclude them.
    /// </summary>
    public string? Condition(IReadOnlyDictionary<int, long?> listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        if (!listed.Keys.Any(_bands.ContainsKey))
        {
            return null;
        }

        var partition = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);
        var parts = listed.Keys.Order().Select(p => _bands.TryGetValue(p, out var bands)
            ? PartitionCondition(p, bands, listed[p])
            : SpeedPartitionRanges.Invariant($"{partition} = {p}"));
        return "(" + string.Join(" OR ", parts) + ")";
    }

    /// <summary>
    /// <c>partition = p AND (...)</c>: a row counts when some band k has <c>fencing_token &gt;= t_k AND last_offset &lt; L_k</c>.
    /// That is the rule because the limits never decrease with the token (each is the smallest start of the fences above),
    /// so the row's own band is the last it satisfies. A band with L_k &lt;= <paramref name="bound"/> matches no row at or above it.
    /// </summary>
    private static string PartitionCondition(int p, (long Token, long Limit)[] bands, long? bound)
    {
        var partition = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);
        var lastOffset = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.LastOffsetColumn);
        var token = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.FencingTokenColumn);
        var terms = new List<string>();
        for (var k = 0; k < bands.Length; k++)
        {
            if (bound is { } b && bands[k].Limit <= b)
            {
                continue;
            }

            terms.Add((k == 0, k == bands.Length - 1) switch
            {
                (true, _) => SpeedPartitionRanges.Invariant($"{lastOffset} < {bands[k].Limit}"),
                (false, true) => SpeedPartitionRanges.Invariant($"{token} >= {bands[k].Token}"),
                _ => SpeedPartitionRanges.Invariant($"({token} >= {bands[k].Token} AND {lastOffset} < {bands[k].Limit})"),
            });
        }

        return SpeedPartitionRanges.Invariant($"({partition} = {p} AND ({string.Join(" OR ", terms)}))");
    }

    /// <summary>DDL of the fences table, idempotent.</summary>
    public static string CreateTableSql(string database) =>
        $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(database, TableName)} "
        + "(`table` String, `partition` UInt16, `token` UInt64, `start_offset` Int64, `created` DateTime) "
        + "ENGINE = MergeTree() PARTITION BY tuple() ORDER BY (`table`, `partition`, `token`)";

    /// <summary>The fences of one speed table.</summary>
    public static string SelectSql(string database, SpeedTableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return $"SELECT `partition`, `token`, `start_offset` FROM {ClickHouseSql.QualifiedName(database, TableName)} WHERE `table` = {ClickHouseSql.QuoteString(schema.TableName)}";
    }

    /// <summary>
    /// Reads the fences of several speed tables in one query (a table without fences gets <see cref="None"/>); all
    /// <see cref="None"/> when the fences table does not exist yet.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, SpeedFences>> ReadAllAsync(
        IClickHouseClient client, IReadOnlyCollection<SpeedTableSchema> schemas, CancellationToken cancellationToken, ClickHouseCallOptions? call = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(schemas);
        var result = schemas.Select(s => s.TableName).Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => None, StringComparer.Ordinal);
        if (result.Count == 0)
        {
            return result;
        }

        var sql = $"SELECT `table`, `partition`, `token`, `start_offset` FROM {ClickHouseSql.QualifiedName(client.Database, TableName)} "
            + $"WHERE `table` IN ({string.Join(", ", result.Keys.Order(StringComparer.Ordinal).Select(ClickHouseSql.QuoteString))})";
        try
        {
            var rows = await client.QueryRowsAsync(sql, call, cancellationToken).ConfigureAwait(false);
            foreach (var table in rows.GroupBy(r => r.GetString(0), StringComparer.Ordinal))
            {
                result[table.Key] = new SpeedFences(table.Select(r => new SpeedFence((int)r.GetInt64(1), r.GetInt64(2), r.GetInt64(3))));
            }
        }
        catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex))
        {
            // No fences table: fencing was never used, every row counts.
        }

        return result;
    }

    /// <summary>Reads the fences of <paramref name="schema"/>'s table; none when the fences table does not exist yet (fencing never used).</summary>
    public static async Task<SpeedFences> ReadAsync(
        IClickHouseClient client, SpeedTableSchema schema, CancellationToken cancellationToken, ClickHouseCallOptions? call = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            var rows = await client.QueryRowsAsync(SelectSql(client.Database, schema), call, cancellationToken).ConfigureAwait(false);
            return rows.Count == 0 ? None : new SpeedFences(rows.Select(r => new SpeedFence((int)r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))));
        }
        catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex))
        {
            return None;
        }
    }
}
