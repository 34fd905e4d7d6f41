using System.Globalization;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;

namespace Lambda.BatchLayer.SpeedTables;

/// <summary>
/// How the highest flush boundary at or below a limit is read from a speed table without reading the table: per partition,
/// the largest counted <c>last_offset</c> below the limit, looked for in offset windows going down from the limit, each
/// window a range of the sort key (partition, last_offset) so ClickHouse 18.16 reads only its granules. The first window
/// that holds a counted row of a partition holds that partition's highest one, so the answer equals a read of everything
/// below the limit; a partition whose window is empty is looked for again in the next, wider window below it, and in the
/// last round in the rest of the partition. The reads of all views' tables in a round are one query. A read of every table
/// whole, one view at a time (the per-row <c>transform</c> this replaced), made a recompute's plan step take seconds under load.
/// </summary>
public static class FlushBoundarySearch
{
    /// <summary>The offsets the first window spans below each limit: a few flushes of a busy partition.</summary>
    public const long FirstWindow = 4_096;

    /// <summary>Each window spans this many times the offsets of the one before it.</summary>
    public const long Growth = 32;

    /// <summary>
    /// At most this many reads per table: the last one reads the rest of each partition still without a boundary (the windows
    /// before it span ~138 million offsets together).
    /// </summary>
    public const int Rounds = 5;

    /// <summary>
    /// The window of <paramref name="round"/> (0-based) below <paramref name="top"/>, the lower end of the window before it
    /// (or the limit): <c>[from, top)</c> of <c>last_offset</c>, <c>from</c> null for the rest of the partition.
    /// </summary>
    public static long? WindowStart(long top, int round)
    {
        if (round >= Rounds - 1)
        {
            return null;
        }

        var span = FirstWindow;
        for (var i = 0; i < round; i++)
        {
            span *= Growth;
        }

        return top - span > 0 ? top - span : null;
    }

    /// <summary>
    /// <c>SELECT '&lt;table&gt;', partition, max(last_offset)</c> over the counted rows of the windows (per partition
    /// <c>[from, to)</c> of <c>last_offset</c>, from null: no lower end), grouped by partition: the table's name first, so that
    /// the reads of several tables go to the server as one <c>UNION ALL</c>.
    /// </summary>
    public static string Sql(string database, SpeedTableSchema schema, IReadOnlyDictionary<int, (long? From, long To)> windows, SpeedFences fences)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(fences);
        if (windows.Count == 0)
        {
            throw new ArgumentException("at least one partition is needed", nameof(windows));
        }

        var partition = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);
        var lastOffset = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.LastOffsetColumn);
        var ranges = windows.OrderBy(w => w.Key).Select(w => string.Create(
            CultureInfo.InvariantCulture,
            $"({partition} = {w.Key}{(w.Value.From is { } from ? $" AND {lastOffset} >= {from}" : string.Empty)} AND {lastOffset} < {w.Value.To})"));
        var where = "(" + string.Join(" OR ", ranges) + ")";

        // Only flushes that count are legal watermarks: a fenced-off writer's late rows are never merged (SpeedFences). The rule
        // for the listed partitions from each window's lower end leaves out the bands no row of the window can be in.
        var counted = fences.Condition(windows.ToDictionary(w => w.Key, w => w.Value.From));
        return $"SELECT {ClickHouseSql.QuoteString(schema.TableName)} AS `table`, {partition}, max({lastOffset}) FROM {ClickHouseSql.QualifiedName(database, schema.TableName)} "
            + $"WHERE {where}{(counted is null ? string.Empty : " AND " + counted)} GROUP BY {partition}";
    }
}
