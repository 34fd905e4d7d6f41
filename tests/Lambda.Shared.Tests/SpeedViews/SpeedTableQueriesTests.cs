using Lambda.Shared.SpeedViews;
using Lambda.Testing;

namespace Lambda.Shared.Tests.SpeedViews;

/// <summary>The progress queries' text: sort-key ranges only, so ClickHouse can use the primary key (the stack test measures it).</summary>
public sealed class SpeedTableQueriesTests
{
    private static readonly SpeedTableSchema Schema = SpeedTableSchema.For(TestCatalogs.RevenueByCountry);

    [Fact]
    public void Without_a_bound_every_row_counts()
    {
        var sql = SpeedTableQueries.MaxOffsetsSql("db", Schema);

        Assert.Equal($"SELECT `partition`, max(`last_offset`) FROM `db`.`{Schema.TableName}` GROUP BY `partition`", sql);
    }

    [Fact]
    public void Listed_partitions_are_read_from_their_bound_and_the_others_through_the_ranges_between_them()
    {
        var sql = SpeedTableQueries.MaxOffsetsSql("db", Schema, new Dictionary<int, long> { [5] = 70, [1] = 20, [2] = 30 });

        Assert.Equal(
            $"SELECT `partition`, max(`last_offset`) FROM `db`.`{Schema.TableName}` WHERE (`partition` = 1 AND `last_offset` >= 20) "
            + "OR (`partition` = 2 AND `last_offset` >= 30) OR (`partition` = 5 AND `last_offset` >= 70) OR `partition` < 1 OR (`partition` > 2 AND `partition` < 5) "
            + "OR `partition` > 5 GROUP BY `partition`",
            sql);
        Assert.DoesNotContain("NOT IN", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Partition_zero_and_the_last_partition_leave_no_range_outside_them()
    {
        var sql = SpeedTableQueries.MaxOffsetsSql("db", Schema, new Dictionary<int, long> { [0] = 1, [ushort.MaxValue] = 2 });

        Assert.DoesNotContain("`partition` < 0", sql, StringComparison.Ordinal);
        Assert.DoesNotContain($"`partition` > {ushort.MaxValue}", sql, StringComparison.Ordinal);
        Assert.Contains($"(`partition` > 0 AND `partition` < {ushort.MaxValue})", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_listed_partitions_are_read_when_asked_for_them_and_a_missing_bound_reads_the_whole_partition()
    {
        var sql = SpeedTableQueries.MaxOffsetsOfSql("db", Schema, new Dictionary<int, long?> { [3] = 9, [7] = null });

        Assert.Equal(
            $"SELECT `partition`, max(`last_offset`) FROM `db`.`{Schema.TableName}` WHERE (`partition` = 3 AND `last_offset` >= 9) OR (`partition` = 7) GROUP BY `partition`",
            sql);
        Assert.Throws<ArgumentException>(() => SpeedTableQueries.MaxOffsetsOfSql("db", Schema, new Dictionary<int, long?>()));
    }

    [Fact]
    public void The_newest_flush_is_read_over_the_same_ranges()
    {
        var sql = SpeedTableQueries.NewestFlushSql("db", Schema, new Dictionary<int, long> { [0] = 4 });

        Assert.Equal($"SELECT toUInt32(max(`flushed_at`)) FROM `db`.`{Schema.TableName}` WHERE (`partition` = 0 AND `last_offset` >= 4) OR `partition` > 0", sql);
    }

    [Fact]
    public void Fences_narrow_a_progress_read_to_the_rows_that_count()
    {
        var fences = new SpeedFences([new SpeedFence(1, 4, 100), new SpeedFence(1, 2, 0)]);

        var sql = SpeedTableQueries.MaxOffsetsOfSql("db", Schema, new Dictionary<int, long?> { [1] = 50 }, fences);

        Assert.Equal(
            $"SELECT `partition`, max(`last_offset`) FROM `db`.`{Schema.TableName}` WHERE ((`partition` = 1 AND `last_offset` >= 50)) AND "
            // Only the listed partition, and not the band below offset 0, which no row at or above 50 falls in.
            + "((`partition` = 1 AND ((`fencing_token` >= 2 AND `last_offset` < 100) OR `fencing_token` >= 4))) "
            + "GROUP BY `partition`",
            sql);
    }

    [Fact]
    public void Speed_tables_are_created_with_a_small_index_granularity()
    {
        Assert.EndsWith($"ORDER BY (`partition`, `last_offset`) SETTINGS index_granularity = {SpeedTableSchema.IndexGranularity}", Schema.CreateTableSql("db"), StringComparison.Ordinal);
    }
}
