extern alias speedlayer;

using System.Globalization;
using Lambda.BatchLayer.SpeedTables;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using speedlayer::Lambda.SpeedLayer.Storage;

namespace Lambda.BatchLayer.Tests.SpeedTables;

/// <summary>
/// The batch layer's maintenance port on speed tables of the real ClickHouse server (18.16), written by the speed
/// layer's own writer: watermarks at flush boundaries, and dropping the deltas a batch view covers.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ClickHouseSpeedTableMaintenanceTests
{
    private static readonly ViewDefinition View = TestCatalogs.Default.GetView("revenue_by_country");

    [Fact]
    public async Task Watermarks_are_the_highest_flush_boundary_at_or_below_each_limit_and_0_without_one()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "batch_maint");
        var maintenance = Maintenance(db);
        Assert.Equal(new Dictionary<int, long> { [0] = 0 }, await maintenance.GetWatermarksAsync(View, new Dictionary<int, long> { [0] = 10 }, CancellationToken.None));
        var writer = Writer(db);
        await writer.EnsureSchemaAsync([View], CancellationToken.None);
        foreach (var (p, first, last) in new[] { (0, 0L, 9L), (0, 10L, 24L), (0, 25L, 25L), (3, 0L, 99L), (3, 100L, 120L) })
        {
            await writer.InsertAsync(View, [new SpeedPartitionDelta(p, first, last, [])], DateTime.UtcNow, CancellationToken.None);
        }

        var watermarks = await maintenance.GetWatermarksAsync(View, new Dictionary<int, long> { [0] = 24, [3] = 121, [7] = 1000 }, CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [0] = 10, [3] = 121, [7] = 0 }, watermarks);
        Assert.Empty(await maintenance.GetWatermarksAsync(View, new Dictionary<int, long>(), CancellationToken.None));
    }

    [Fact]
    public async Task Watermarks_far_below_the_limit_or_behind_fenced_off_rows_are_found_as_a_read_of_everything_below_the_limit_finds_them()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "batch_maint");
        var schema = SpeedTableSchema.For(View);
        await db.Client.ExecuteAsync(schema.CreateTableSql(db.Name), null, CancellationToken.None);
        await db.Client.ExecuteAsync(SpeedFences.CreateTableSql(db.Name), null, CancellationToken.None);

        // By hand: partition 0's newest row below the limit is a stale writer's (token 1 reaches token 2's fence at 5,000,000),
        // the next one lies ten million offsets lower; partition 1's only row is 3 below its limit; partition 2 has none below.
        var fixedRows = new List<(int Partition, long Token, long Last)> { (0, 1, 9), (0, 1, 10_000_000), (0, 2, 10_000_500), (1, 0, 196), (2, 0, 50) };
        var fixedFences = new List<SpeedFence> { new(0, 2, 5_000_000) };
        await InsertRowsAsync(db, schema, fixedRows, fixedFences);
        Assert.Equal(
            new Dictionary<int, long> { [0] = 10, [1] = 197, [2] = 0 },
            await Maintenance(db).GetWatermarksAsync(View, new Dictionary<int, long> { [0] = 10_000_001, [1] = 200, [2] = 50 }, CancellationToken.None));

        // At random: rows spread from just below each limit to hundreds of millions of offsets below it (every window of the
        // search), tokens and fences at random; the oracle is the fencing rule over every stored row below the limit.
        var random = new Random(20261207);
        var deep = 0;
        for (var round = 0; round < 4; round++)
        {
            await db.Client.ExecuteAsync($"TRUNCATE TABLE {ClickHouseSql.QualifiedName(db.Name, schema.TableName)}", null, CancellationToken.None);
            await db.Client.ExecuteAsync($"TRUNCATE TABLE {ClickHouseSql.QualifiedName(db.Name, SpeedFences.TableName)}", null, CancellationToken.None);
            var limits = Enumerable.Range(0, 8).ToDictionary(p => p, p => p == 7 ? 0L : (long)random.Next(1, 400_000_000));
            long Below(int p) => limits[p] - (long)Math.Exp(random.NextDouble() * Math.Log(limits[p] + 2.0)) + random.Next(0, 3);
            // Few rows in some partitions, so that their newest one below the limit is often far below it.
            var rows = Enumerable.Range(0, 7)
                .SelectMany(p => Enumerable.Repeat(p, random.Next(3) == 0 ? random.Next(1, 4) : random.Next(20, 120)))
                .Select(p => (Partition: p, Token: (long)random.Next(0, 6), Last: Below(p)))
                .Where(r => r.Last >= 0)
                .ToList();
            var fences = Enumerable.Range(0, 8).Select(_ => random.Next(0, 6)).Select(p => new SpeedFence(p, random.Next(1, 6), Math.Max(0, Below(p)))).ToList();
            await InsertRowsAsync(db, schema, rows, fences);
            var rule = new SpeedFences(fences);
            var expected = limits.ToDictionary(
                l => l.Key,
                l => rows.Where(r => r.Partition == l.Key && r.Last < l.Value && rule.Counts(r.Partition, r.Token, r.Last)).Select(r => r.Last + 1).DefaultIfEmpty(0).Max());
            deep += expected.Count(e => e.Value > 0 && limits[e.Key] - e.Value > FlushBoundarySearch.FirstWindow * FlushBoundarySearch.Growth);

            Assert.Equal(expected, await Maintenance(db).GetWatermarksAsync(View, limits, CancellationToken.None));
        }

        Assert.True(deep > 0, "no boundary lay below the search's first two windows");
    }

    [Fact]
    public async Task Covered_deltas_are_dropped_except_the_flush_ending_at_the_watermark_and_every_read_above_it_stays_the_same()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "batch_maint");
        var writer = Writer(db);
        await writer.EnsureSchemaAsync([View], CancellationToken.None);
        var hour0 = new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        foreach (var (partition, first, last, count) in new[] { (0, 0L, 9L, 1), (0, 10L, 19L, 10), (0, 20L, 29L, 100), (1, 0L, 4L, 1000), (2, 0L, 0L, 7) })
        {
            await writer.InsertAsync(View, [new SpeedPartitionDelta(partition, first, last, [Group(hour0, count)])], DateTime.UtcNow, CancellationToken.None);
        }

        var above = new Dictionary<int, long> { [0] = 20, [1] = 5 };
        var before = await SpeedTableContents.ReadGroupsAsync(db.Client, View, above);

        await Maintenance(db).DeleteCoveredDeltasAsync(View, new Dictionary<int, long> { [0] = 20, [1] = 5, [3] = 100 }, CancellationToken.None);

        // The deletion is a ClickHouse mutation, applied in the background.
        var table = ClickHouseSql.QualifiedName(db.Client.Database, SpeedTableSchema.TableNameOf(View));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await Strings(db, $"SELECT count() FROM {table} WHERE partition = 0 AND last_offset = 9"))[0] != "0" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(
            ["0-10-19", "0-20-29", "1-0-4", "2-0-0"],
            await Strings(db, $"SELECT concat(toString(partition), '-', toString(first_offset), '-', toString(last_offset)) FROM {table} ORDER BY partition, first_offset"));
        Assert.Equal(new Dictionary<int, long> { [0] = 20, [1] = 5 }, await Maintenance(db).GetWatermarksAsync(View, new Dictionary<int, long> { [0] = 25, [1] = 5 }, CancellationToken.None));
        Assert.Null(ViewAggregator.FindDifference(before, await SpeedTableContents.ReadGroupsAsync(db.Client, View, above)));
    }

    [Fact]
    public async Task The_deltas_of_whole_flushes_inside_the_ranges_are_read_merged_per_bucket_and_group_for_the_drift_audit()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "batch_maint");
        var maintenance = Maintenance(db);
        Assert.Empty(await maintenance.ReadDeltasAsync(View, new Dictionary<int, SpeedOffsetRange> { [0] = new(0, 10) }, CancellationToken.None));
        Assert.Empty(await maintenance.GetFirstOffsetsAsync(View, CancellationToken.None));
        var writer = Writer(db);
        await writer.EnsureSchemaAsync([View], CancellationToken.None);
        var hour0 = new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        foreach (var (partition, first, last, count) in new[] { (0, 5L, 9L, 1), (0, 10L, 19L, 10), (0, 20L, 29L, 100), (1, 0L, 4L, 1000), (2, 7L, 7L, 7) })
        {
            await writer.InsertAsync(View, [new SpeedPartitionDelta(partition, first, last, [Group(hour0, count)])], DateTime.UtcNow, CancellationToken.None);
        }

        // Partition 0 from 10 to 30 (two flushes), partition 1 from 0 to 4 (its flush ends above: not read), partition 2 not asked.
        var groups = await maintenance.ReadDeltasAsync(
            View, new Dictionary<int, SpeedOffsetRange> { [0] = new(10, 30), [1] = new(0, 4) }, CancellationToken.None);

        var group = Assert.Single(groups);
        Assert.Equal(hour0, group.BucketStartMilliseconds);
        Assert.Equal(110L, group.GetValue("orders").AsLong());
        Assert.Equal(220.00m, group.GetValue("revenue").AsDecimal());
        Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 0, [2] = 7 }, await maintenance.GetFirstOffsetsAsync(View, CancellationToken.None));
    }

    [Fact]
    public async Task A_view_without_a_speed_table_has_no_boundaries_and_nothing_to_drop()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "batch_maint");

        await Maintenance(db).DeleteCoveredDeltasAsync(View, new Dictionary<int, long> { [0] = 20 }, CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [0] = 0 }, await Maintenance(db).GetWatermarksAsync(View, new Dictionary<int, long> { [0] = 20 }, CancellationToken.None));
    }

    /// <summary>Delta rows of the given partitions, tokens and last offsets (first_offset = last_offset), and the fences.</summary>
    private static async Task InsertRowsAsync(ClickHouseTestDatabase db, SpeedTableSchema schema, IReadOnlyList<(int Partition, long Token, long Last)> rows, IReadOnlyList<SpeedFence> fences)
    {
        await FencedSpeedRows.InsertAsync(db.Client, schema, rows.Select(r => (r.Partition, r.Token, r.Last, r.Last)).ToArray());
        await db.Client.InsertAsync(
            SpeedFences.TableName,
            ["table", "partition", "token", "start_offset"],
            fences,
            (w, f) =>
            {
                w.WriteString(schema.TableName);
                w.WriteUInt16((ushort)f.Partition);
                w.WriteUInt64((ulong)f.Token);
                w.WriteInt64(f.StartOffset);
            },
            null,
            CancellationToken.None);
    }

    private static ClickHouseSpeedTableMaintenance Maintenance(ClickHouseTestDatabase db) => new(db.Client, NullLogger<ClickHouseSpeedTableMaintenance>.Instance);

    private static ClickHouseSpeedTableWriter Writer(ClickHouseTestDatabase db) => new(db.Client, NullLogger<ClickHouseSpeedTableWriter>.Instance);

    /// <summary>One group of <paramref name="events"/> paid US orders of 2.00 in the bucket starting at <paramref name="bucket"/>.</summary>
    private static ViewGroup Group(long bucket, int events)
    {
        var aggregator = new ViewAggregator(View);
        var record = new EventRecord(View.Source);
        for (var i = 0; i < events; i++)
        {
            record.Reset();
            record.SetTimestamp(bucket);
            foreach (var field in View.Source.Fields)
            {
                var text = field.Name switch
                {
                    "status" => "paid",
                    "country" => "US",
                    "amount" => "2.00",
                    _ => "u" + i.ToString(CultureInfo.InvariantCulture),
                };
                Assert.True(FieldValue.TryParse(text, field.Type, out var value));
                record.SetValue(field.Ordinal, value);
            }

            aggregator.Add(record);
        }

        return Assert.Single(aggregator.Drain());
    }

    private static async Task<string[]> Strings(ClickHouseTestDatabase db, string sql) =>
        (await db.Client.QueryRowsAsync(sql)).Select(r => r.GetString(0)).ToArray();
}
