extern alias speedlayer;

using Lambda.Testing;
using System.Globalization;
using Lambda.BatchLayer.Loading;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.ClickHouse;
using Lambda.BatchLayer.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.Loading;

/// <summary>Loading batch-view files into ClickHouse (18.16 and current): exact rows, atomic per-day replacement.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ClickHouseBatchViewLoaderTests : IAsyncLifetime
{
    private static readonly DateOnly Day1 = new(2026, 11, 24);
    private static readonly DateOnly Day2 = new(2026, 11, 25);

    private readonly DayFileLoadFixture _fixture = new(databasePrefix: "batch_test", rootPrefix: "batch-load-");
    private readonly ClickHouseBatchViewLoader _loader;

    public ClickHouseBatchViewLoaderTests() => _loader = _fixture.CreateLoader();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync().AsTask();

    [Fact]
    public async Task Loading_a_day_again_replaces_exactly_that_day_and_leaves_other_days_untouched()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var day1v1 = TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 500));
        var day1v2 = TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 120, seed: 3));
        var day2 = TestViews.Aggregate(view, TestViews.PaidOrders(Day2, 300, seed: 1));
        Assert.NotEqual(day1v1.Count, day1v2.Count);

        Assert.Equal(day1v1.Count, await LoadAsync(view, Day1, "v1", day1v1));
        Assert.Equal(day2.Count, await LoadAsync(view, Day2, "v1", day2));
        var day2Parts = await PartsAsync(table, Day2);

        Assert.Equal(day1v2.Count, await LoadAsync(view, Day1, "v2", day1v2));

        Assert.Equal((ulong)day1v2.Count, await _fixture.ClickHouse.CountAsync($"SELECT count() FROM {table} WHERE toDate(bucket) = '2026-11-24'"));
        Assert.Equal((ulong)day2.Count, await _fixture.ClickHouse.CountAsync($"SELECT count() FROM {table} WHERE toDate(bucket) = '2026-11-25'"));
        Assert.Equal((ulong)(day1v2.Count + day2.Count), await _fixture.ClickHouse.CountAsync($"SELECT count() FROM {table}"));
        Assert.Equal(day2Parts, await PartsAsync(table, Day2));
        await AssertContentAsync(table, Day1, day1v2);
        await AssertContentAsync(table, Day2, day2);
        Assert.Equal(0UL, await _fixture.ClickHouse.CountAsync($"SELECT count() FROM system.tables WHERE database = '{_fixture.ClickHouse.Name}' AND name LIKE '%staging%'"));
    }

    [Fact]
    public async Task Each_day_reports_the_file_last_loaded_into_it_from_clickhouse_itself()
    {
        var view = TestCatalogs.RevenueByCountry;
        Assert.Empty(await _loader.GetLoadedDaysAsync(view, CancellationToken.None));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var day1 = TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 80));

        // Several loads of one day within the same second: the last one must win.
        await LoadAsync(view, Day1, "r1", day1);
        await LoadAsync(view, Day2, "r1", TestViews.Aggregate(view, TestViews.PaidOrders(Day2, 30)));
        await LoadAsync(view, Day1, "r2", day1);
        await LoadAsync(view, Day1, "r3", day1);

        var fresh = _fixture.CreateLoader();
        var loaded = await fresh.GetLoadedDaysAsync(view, CancellationToken.None);
        Assert.Equal([Day1, Day2], loaded.Keys.Order());
        Assert.Equal(("r3", FileName(view, Day1, "r3")), Held(loaded, Day1));
        Assert.Equal(("r1", FileName(view, Day2, "r1")), Held(loaded, Day2));
        Assert.Equal(day1.Count, loaded[Day1].Rows);
        Assert.InRange(loaded[Day1].LoadedAt, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Empty(await fresh.GetLoadedDaysAsync(TypeCatalogs.AllTypes.GetView("by_everything"), CancellationToken.None));
    }

    [Fact]
    public async Task A_reader_sees_the_old_day_or_the_new_day_never_a_mix_while_it_is_replaced()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var small = TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 200));
        var large = TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 3000, seed: 5));
        await BatchViewTestFiles.WriteAsync(_fixture.PathOf("small.parquet"), view, small);
        await BatchViewTestFiles.WriteAsync(_fixture.PathOf("large.parquet"), view, large);
        await LoadFileAsync(view, Day1, "small.parquet");

        using var stop = new CancellationTokenSource();
        var seen = new HashSet<ulong>();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                seen.Add(await _fixture.ClickHouse.CountAsync($"SELECT count() FROM {table} WHERE toDate(bucket) = '2026-11-24'"));
            }
        });
        for (var i = 0; i < 6; i++)
        {
            var file = i % 2 == 0 ? "large.parquet" : "small.parquet";
            await LoadFileAsync(view, Day1, file);
        }

        await stop.CancelAsync();
        await reader;
        Assert.Subset(new HashSet<ulong> { (ulong)small.Count, (ulong)large.Count }, seen);
    }

    [Fact]
    public async Task An_empty_file_empties_the_day_and_only_that_day()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var day2 = TestViews.Aggregate(view, TestViews.PaidOrders(Day2, 30, seed: 1));
        await LoadAsync(view, Day1, "full", TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 50)));
        await LoadAsync(view, Day2, "full", day2);

        Assert.Equal(0, await LoadAsync(view, Day1, "empty", []));

        Assert.Equal(0UL, await _fixture.ClickHouse.CountAsync($"SELECT count() FROM {table} WHERE toDate(bucket) = '2026-11-24'"));
        await AssertContentAsync(table, Day2, day2);
        Assert.Equal(("empty", FileName(view, Day1, "empty")), Held(await _loader.GetLoadedDaysAsync(view, CancellationToken.None), Day1));
    }

    [Fact]
    public async Task An_empty_file_for_a_day_never_loaded_is_recorded_and_adds_nothing()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var day2 = TestViews.Aggregate(view, TestViews.PaidOrders(Day2, 30, seed: 1));
        await LoadAsync(view, Day2, "full", day2);

        Assert.Equal(0, await LoadAsync(view, Day1, "empty", []));

        Assert.Equal((ulong)day2.Count, await _fixture.ClickHouse.CountAsync($"SELECT count() FROM {table}"));
        Assert.Equal(("empty", FileName(view, Day1, "empty")), Held(await _loader.GetLoadedDaysAsync(view, CancellationToken.None), Day1));
    }

    [Fact]
    public async Task A_file_with_rows_of_another_day_is_refused_and_the_day_keeps_its_rows()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var good = TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 40));
        await LoadAsync(view, Day1, "good", good);
        var wrong = _fixture.PathOf("wrong.parquet");
        await BatchViewTestFiles.WriteAsync(wrong, view, TestViews.Aggregate(view, TestViews.PaidOrders(Day2, 10)));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LoadFileAsync(view, Day1, "wrong.parquet"));
        Assert.Contains("outside its day 2026-11-24", error.Message, StringComparison.Ordinal);
        Assert.Equal((ulong)good.Count, await _fixture.ClickHouse.CountAsync($"SELECT count() FROM {table}"));
        Assert.Equal(("good", FileName(view, Day1, "good")), Held(await _loader.GetLoadedDaysAsync(view, CancellationToken.None), Day1));
    }

    [Fact]
    public async Task Many_days_in_one_call_each_hold_exactly_their_file_and_loading_them_again_doubles_nothing()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var days = Enumerable.Range(0, 6).Select(i => Day1.AddDays(i)).ToArray();
        var groups = days.Select((d, i) => i == 3 ? Array.Empty<ViewGroup>() : TestViews.Aggregate(view, TestViews.PaidOrders(d, 40 + (i * 25), seed: i))).ToArray();
        await LoadAsync(view, days[3], "before", TestViews.Aggregate(view, TestViews.PaidOrders(days[3], 90, seed: 9)));

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var run = "r" + attempt.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(groups.Sum(g => g.Count), await LoadManyAsync(view, run, days.Zip(groups).ToArray()));

            for (var i = 0; i < days.Length; i++)
            {
                await AssertContentAsync(table, days[i], groups[i]);
                Assert.Equal((run, FileName(view, days[i], run)), Held(await _loader.GetLoadedDaysAsync(view, CancellationToken.None), days[i]));
            }

            Assert.Equal((ulong)groups.Sum(g => g.Count), await _fixture.ClickHouse.CountAsync($"SELECT count() FROM {table}"));
        }

        Assert.Equal(0UL, await _fixture.ClickHouse.CountAsync($"SELECT count() FROM system.tables WHERE database = '{_fixture.ClickHouse.Name}' AND name LIKE '%staging%'"));
    }

    [Fact]
    public async Task A_bad_file_among_many_days_changes_none_of_them()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var old1 = TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 60));
        var old2 = TestViews.Aggregate(view, TestViews.PaidOrders(Day2, 70, seed: 1));
        await LoadManyAsync(view, "old", [(Day1, old1), (Day2, old2)]);
        var wrong = _fixture.PathOf("wrong-day.parquet");
        await BatchViewTestFiles.WriteAsync(wrong, view, TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 10, seed: 4)));
        var newDay1 = await _fixture.WriteDayFileAsync(view, FileName(view, Day1, "new"), Day1, "new", TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 200, seed: 2)));

        await Assert.ThrowsAsync<InvalidDataException>(() => _loader.LoadDaysAsync(
            view,
            [newDay1, new BatchDayFile(DayOf(Day2, "wrong-day.parquet"), wrong)],
            CancellationToken.None));

        await AssertContentAsync(table, Day1, old1);
        await AssertContentAsync(table, Day2, old2);
        var held = await _loader.GetLoadedDaysAsync(view, CancellationToken.None);
        Assert.Equal(("old", FileName(view, Day1, "old")), Held(held, Day1));
        Assert.Equal(("old", FileName(view, Day2, "old")), Held(held, Day2));
    }

    [Fact]
    public async Task More_days_than_one_insert_takes_are_loaded_in_several_batches()
    {
        var view = TestCatalogs.RevenueByCountry;
        var days = Enumerable.Range(0, DayFileBatch.MaxDays + 3).Select(i => Day1.AddDays(-i)).ToArray();
        var loads = days.Select(d => (d, (IReadOnlyList<ViewGroup>)TestViews.Aggregate(view, TestViews.PaidOrders(d, 2, seed: d.DayNumber)))).ToArray();

        Assert.Equal(loads.Sum(l => l.Item2.Count), await LoadManyAsync(view, "wide", loads));

        var perDay = await _fixture.ClickHouse.Client.QueryRowsAsync($"SELECT toDate(bucket), count() FROM {BatchTable.TableName(view)} GROUP BY toDate(bucket)");
        Assert.Equal(loads.ToDictionary(l => l.d, l => (ulong)l.Item2.Count), perDay.ToDictionary(r => r.GetDate(0), r => r.GetUInt64(1)));
        Assert.Equal(days.Length, (await _loader.GetLoadedDaysAsync(view, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_reader_of_two_days_sees_each_day_old_or_new_while_both_are_replaced_in_one_call()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var small = new[] { Day1, Day2 }.Select(d => TestViews.Aggregate(view, TestViews.PaidOrders(d, 150, seed: 1))).ToArray();
        var large = new[] { Day1, Day2 }.Select(d => TestViews.Aggregate(view, TestViews.PaidOrders(d, 2500, seed: 6))).ToArray();
        await LoadManyAsync(view, "small", [(Day1, small[0]), (Day2, small[1])]);

        using var stop = new CancellationTokenSource();
        var seen = new HashSet<(ulong, ulong)>();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var rows = await _fixture.ClickHouse.Client.QueryRowsAsync(
                    $"SELECT countIf(toDate(bucket) = '2026-11-24'), countIf(toDate(bucket) = '2026-11-25') FROM {table}");
                seen.Add((rows[0].GetUInt64(0), rows[0].GetUInt64(1)));
            }
        });
        for (var i = 0; i < 6; i++)
        {
            var set = i % 2 == 0 ? large : small;
            await LoadManyAsync(view, i % 2 == 0 ? "large" : "small", [(Day1, set[0]), (Day2, set[1])]);
        }

        await stop.CancelAsync();
        await reader;
        var day1 = new HashSet<ulong> { (ulong)small[0].Count, (ulong)large[0].Count };
        var day2 = new HashSet<ulong> { (ulong)small[1].Count, (ulong)large[1].Count };
        Assert.All(seen, s => Assert.True(day1.Contains(s.Item1) && day2.Contains(s.Item2), $"a reader saw {s}"));
    }

    [Fact]
    public async Task Every_dimension_type_and_measure_kind_round_trips_into_typed_columns()
    {
        var view = TypeCatalogs.AllTypes.GetView("by_everything");
        var start = new DateTimeOffset(Day1.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
        var events = Enumerable.Range(0, 30).Select(i => string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"ts":"{{start.AddMinutes(i * 3):yyyy-MM-ddTHH:mm:ssZ}}","site":"s{{i % 2}}","floor":{{i % 3}},"ratio":{{(i % 2) * 0.5}},"price":{{(i % 2) + 0.125m}},"big":{{i}}.25,"ok":{{(i % 2 == 0 ? "true" : "false")}},"seen":"2026-11-01T00:00:0{{i % 2}}Z"}"""));
        var groups = TestViews.Aggregate(view, events);

        await LoadAsync(view, Day1, "all", groups);

        var table = BatchTable.TableName(view);
        var rows = await _fixture.ClickHouse.Client.QueryRowsAsync(
            $"SELECT sum(n), sum(total_floor), sum(total_big), min(low), max(max_seen), sum(mean_floor_sum), sum(mean_floor_count), "
            + $"sum(mean_big_sum), countIf(low_present = 1), sum(sites), max(length(sites_state)) FROM {table}");
        var row = rows.Single();
        Assert.Equal(30UL, row.GetUInt64(0));
        Assert.Equal((long)Enumerable.Range(0, 30).Sum(i => i % 3), row.GetInt64(1));
        Assert.Equal(Enumerable.Range(0, 30).Sum(i => i + 0.25m), row.GetDecimal(2));
        Assert.Equal(0.125m, row.GetDecimal(3));
        Assert.Equal(new DateTime(2026, 11, 1, 0, 0, 1, DateTimeKind.Utc), row.GetDateTime(4));
        Assert.Equal((long)Enumerable.Range(0, 30).Sum(i => i % 3), row.GetInt64(5));
        Assert.Equal(30UL, row.GetUInt64(6));
        Assert.Equal(Enumerable.Range(0, 30).Sum(i => i + 0.25m), row.GetDecimal(7));
        Assert.Equal((ulong)groups.Count, row.GetUInt64(8));
        Assert.True(row.GetUInt64(10) > 2);
        var columns = await _fixture.ClickHouse.Client.QueryRowsAsync($"DESCRIBE TABLE {table}");
        Assert.Equal(
            Shared.SpeedViews.SpeedTableSchema.For(view).GroupColumns.Select(c => $"{c.Name} {c.Type}"),
            columns.Select(c => $"{c.GetString(0)} {c.GetString(1)}"));
    }

    [Fact]
    public async Task Derived_dimensions_load_as_nullable_columns_outside_the_sort_key_with_their_null_group()
    {
        var view = TypeCatalogs.AllTypes.GetView("by_derived");
        var start = new DateTimeOffset(Day1.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);

        // l cycles -1, 0, 1: the l = 0 events have a null tag, share and ratio.
        var events = Enumerable.Range(0, 12).Select(i => string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"ts":"{{start.AddMinutes(i):yyyy-MM-ddTHH:mm:ssZ}}","s":"s","l":{{(i % 3) - 1}},"d":2.5,"m":1.5,"b":true,"t":"2026-11-01T00:00:00Z"}"""));
        var groups = TestViews.Aggregate(view, events);

        await LoadAsync(view, Day1, "derived", groups);

        var rows = await _fixture.ClickHouse.Client.QueryRowsAsync(
            $"SELECT countIf(isNull(tag)), sumIf(n, isNull(tag) AND isNull(share) AND isNull(ratio)), sum(n) FROM {BatchTable.TableName(view)}");
        var row = rows.Single();
        Assert.Equal(1UL, row.GetUInt64(0));
        Assert.Equal(4UL, row.GetUInt64(1));
        Assert.Equal(12UL, row.GetUInt64(2));
        Assert.Contains("ORDER BY (`bucket`)", BatchTable.For(view).CreateTableSql("db"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_rows_hold_the_same_columns_and_bytes_as_speed_rows_of_the_same_groups_so_they_union()
    {
        var view = TestCatalogs.RevenueByCountry;
        var groups = TestViews.Aggregate(view, TestViews.PaidOrders(Day1, 400));
        await LoadAsync(view, Day1, "union", groups);
        var speed = new speedlayer::Lambda.SpeedLayer.Storage.ClickHouseSpeedTableWriter(_fixture.ClickHouse.Client, NullLogger<speedlayer::Lambda.SpeedLayer.Storage.ClickHouseSpeedTableWriter>.Instance);
        await speed.EnsureSchemaAsync([view], CancellationToken.None);
        await speed.InsertAsync(view, [new Shared.SpeedViews.SpeedPartitionDelta(0, 0, 400, groups)], DateTime.UtcNow, CancellationToken.None);

        var columns = "bucket, country, orders, revenue, biggest, biggest_present, buyers, buyers_state";
        var union = $"SELECT {columns} FROM {BatchTable.TableName(view)} UNION ALL "
            + $"SELECT {columns} FROM {Shared.SpeedViews.SpeedTableSchema.TableNameOf(view)} WHERE kind = 0";
        var row = (await _fixture.ClickHouse.Client.QueryRowsAsync($"SELECT count(), uniqExact({columns}) FROM ({union})")).Single();
        Assert.Equal((ulong)(2 * groups.Count), row.GetUInt64(0));
        Assert.Equal((ulong)groups.Count, row.GetUInt64(1));
    }

    // The version stands for the run id; the file is named after it.
    private async Task<long> LoadAsync(Shared.Catalog.ViewDefinition view, DateOnly day, string version, IReadOnlyList<ViewGroup> groups)
    {
        var file = await _fixture.WriteDayFileAsync(view, FileName(view, day, version), day, version, groups);
        return await _loader.LoadDaysAsync(view, [file], CancellationToken.None);
    }

    // One call for every day, each day's file written first and named after the run.
    private async Task<long> LoadManyAsync(Shared.Catalog.ViewDefinition view, string run, IReadOnlyList<(DateOnly Day, IReadOnlyList<ViewGroup> Groups)> days)
    {
        var files = new List<BatchDayFile>();
        foreach (var (day, groups) in days)
        {
            files.Add(await _fixture.WriteDayFileAsync(view, FileName(view, day, run), day, run, groups));
        }

        return await _loader.LoadDaysAsync(view, files, CancellationToken.None);
    }

    private Task<long> LoadFileAsync(Shared.Catalog.ViewDefinition view, DateOnly day, string file) =>
        _loader.LoadDaysAsync(view, [new BatchDayFile(DayOf(day, file), _fixture.PathOf(file))], CancellationToken.None);

    private static string FileName(Shared.Catalog.ViewDefinition view, DateOnly day, string version) => $"{view.Name}-{day:yyyyMMdd}-{version}.parquet";

    private static BatchViewDay DayOf(DateOnly day, string file) => new(day, file, 0, "test-run");

    private static (string RunId, string File)? Held(IReadOnlyDictionary<DateOnly, LoadedBatchDay> days, DateOnly day) =>
        days.TryGetValue(day, out var held) ? (held.RunId, held.File) : null;

    private async Task<string> PartsAsync(string table, DateOnly day)
    {
        var rows = await _fixture.ClickHouse.Client.QueryRowsAsync(
            $"SELECT name FROM system.parts WHERE database = '{_fixture.ClickHouse.Name}' AND table = '{table}' AND active AND partition = '{day:yyyy-MM-dd}' ORDER BY name");
        return string.Join(",", rows.Select(r => r.GetString(0)));
    }

    private async Task AssertContentAsync(string table, DateOnly day, IReadOnlyList<ViewGroup> expected)
    {
        var rows = await _fixture.ClickHouse.Client.QueryRowsAsync(
            $"SELECT bucket, country, orders, revenue, biggest, biggest_present, buyers FROM {table} "
            + $"WHERE toDate(bucket) = {ClickHouseSql.DateLiteral(day)} ORDER BY bucket, country");
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var g = expected[i];
            Assert.Equal(g.BucketStart.UtcDateTime, rows[i].GetDateTime(0));
            Assert.Equal(g.GetDimension("country").AsString(), rows[i].GetString(1));
            Assert.Equal((ulong)g.GetValue("orders").AsLong(), rows[i].GetUInt64(2));
            Assert.Equal(g.GetValue("revenue").AsDecimal(), rows[i].GetDecimal(3));
            Assert.Equal(g.GetValue("biggest").AsDecimal(), rows[i].GetDecimal(4));
            Assert.Equal(1, rows[i].GetInt32(5));
            Assert.Equal((ulong)g.GetValue("buyers").AsLong(), rows[i].GetUInt64(6));
        }
    }
}
