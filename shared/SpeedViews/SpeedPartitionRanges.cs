using System.Globalization;
using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.SpeedViews;

/// <summary>Conditions on the <c>partition</c> column that ClickHouse turns into ranges of the sort key (partition, last_offset).</summary>
internal static class SpeedPartitionRanges
{
    private static string Partition => ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn);

    /// <summary>
    /// The partitions that are not in <paramref name="sortedKeys"/> (ascending, distinct): <c>partition &lt; k0</c>,
    /// <c>partition &gt; k_i AND partition &lt; k_i+1</c> where a partition lies between, <c>partition &gt; k_n</c>. Partitions are
    /// integers in 0..65535, so adjacent keys leave no range. (A <c>NOT IN</c> list made ClickHouse 18.16 scan the table.)
    /// </summary>
    public static IEnumerable<string> Outside(IReadOnlyList<int> sortedKeys)
    {
        if (sortedKeys.Count == 0)
        {
            yield return "1";
            yield break;
        }

        if (sortedKeys[0] > 0)
        {
            yield return Invariant($"{Partition} < {sortedKeys[0]}");
        }

        for (var i = 0; i + 1 < sortedKeys.Count; i++)
        {
            if (sortedKeys[i + 1] > sortedKeys[i] + 1)
            {
                yield return Invariant($"({Partition} > {sortedKeys[i]} AND {Partition} < {sortedKeys[i + 1]})");
            }
        }

        if (sortedKeys[^1] < ushort.MaxValue)
        {
            yield return Invariant($"{Partition} > {sortedKeys[^1]}");
        }
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
