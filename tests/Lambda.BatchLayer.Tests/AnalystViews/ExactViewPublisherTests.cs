extern alias speedlayer;

using System.Globalization;
using Lambda.BatchLayer.AnalystViews;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.BatchLayer.Tests.Support;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Measures;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using SpeedWriter = speedlayer::Lambda.SpeedLayer.Storage.ClickHouseSpeedTableWriter;

namespace Lambda.BatchLayer.Tests.AnalystViews;

/// <summary>
/// The exact analyst view on ClickHouse 18.16 and 26.7, for a view with every measure kind over every field type: its rows are
/// the groups of the batch run the pointer names plus the speed deltas at or above that run's watermarks, finalised as the
/// serving layer finalises the same groups; the pointer moves to a newer run only, and a speed-only view of an earlier release
/// under the view's name is replaced.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ExactViewPublisherTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private readonly DayFileLoadFixture _fixture = new(databasePrefix: "exact_view", rootPrefix: "exact-view-");

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync().AsTask();

    [Fact]
    public async Task Rows_are_the_named_runs_batch_groups_plus_the_deltas_at_or_above_its_watermarks_finalised_like_the_api()
    {
        var view = TypeCatalogs.AllTypes.GetView("everything");
        var batchEvents = Things(0, 300, minutes: 30);
        var speedEvents = Things(300, 200, minutes: 45);      // minutes 0..44: mixed groups up to 29, speed-only after
        var otherPartition = Things(500, 40, minutes: 60);    // partition 1 has no watermark: all of it counts
        var below = Things(900, 50, minutes: 60);             // partition 0 below the watermark: in the batch run already
        var speed = new SpeedWriter(_fixture.ClickHouse.Client, NullLogger<SpeedWriter>.Instance);
        await speed.EnsureSchemaAsync([view], CancellationToken.None);
        await speed.InsertAsync(view, [new SpeedPartitionDelta(0, 0, 99, TestViews.Aggregate(view, below))], DateTime.UtcNow, CancellationToken.None);
        await speed.InsertAsync(view, [new SpeedPartitionDelta(0, 100, 149, TestViews.Aggregate(view, speedEvents)), new SpeedPartitionDelta(1, 0, 9, TestViews.Aggregate(view, otherPartition))], DateTime.UtcNow, CancellationToken.None);

        var publisher = Publisher(TypeCatalogs.AllTypes);
        var manifest = await ManifestAsync(view, "r1", DateTimeOffset.UtcNow, TestViews.Aggregate(view, batchEvents), new Dictionary<int, long> { [0] = 100 });
        Assert.Equal(1, await publisher.PublishAsync(manifest, CancellationToken.None));

        var expected = TestViews.Aggregate(view, batchEvents.Concat(speedEvents).Concat(otherPartition));
        var sources = new[] { batchEvents, speedEvents, otherPartition }
            .SelectMany(events => TestViews.Aggregate(view, events).Select(g => g.KeyToString()))
            .GroupBy(k => k, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        await AssertViewAsync(view, expected, sources);

        // Published again: nothing loads twice and nothing changes.
        Assert.Equal(0, await publisher.PublishAsync(manifest, CancellationToken.None));
        await AssertViewAsync(view, expected, sources);
    }

    [Fact]
    public async Task The_pointer_moves_to_newer_runs_only_and_older_runs_days_are_dropped_after_the_next_one()
    {
        var view = TestCatalogs.RevenueByCountry;
        var sql = ExactViewSql.For(view);
        var publisher = Publisher(TestCatalogs.Default);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        var r1 = await ManifestAsync(view, "r1", t0, TestViews.Aggregate(view, TestViews.PaidOrders(Day, 100)), new Dictionary<int, long>());
        var r2 = await ManifestAsync(view, "r2", t0.AddMinutes(1), TestViews.Aggregate(view, TestViews.PaidOrders(Day, 250, seed: 2)), new Dictionary<int, long>());
        var r3 = await ManifestAsync(view, "r3", t0.AddMinutes(2), TestViews.Aggregate(view, TestViews.PaidOrders(Day, 70, seed: 3)), new Dictionary<int, long>());

        await publisher.PublishAsync(r2, CancellationToken.None);
        Assert.Equal(250UL, await TotalAsync());
        await publisher.PublishAsync(r1, CancellationToken.None);
        Assert.Equal(250UL, await TotalAsync());
        await publisher.PublishAsync(r3, CancellationToken.None);
        Assert.Equal(70UL, await TotalAsync());

        // r2's day stays for queries that read the pointer just before it moved; r1's never was the pointer's predecessor.
        var runs = await _fixture.ClickHouse.Client.QueryRowsAsync($"SELECT DISTINCT __run FROM {sql.RunTableName} ORDER BY __run");
        Assert.Equal(["r2", "r3"], runs.Select(r => r.GetString(0)));
    }

    [Fact]
    public async Task Runs_of_many_days_carry_days_over_count_each_day_once_and_drop_only_days_no_pointer_names()
    {
        var view = TestCatalogs.RevenueByCountry;
        var sql = ExactViewSql.For(view);
        var publisher = Publisher(TestCatalogs.Default);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        var days = Enumerable.Range(0, 5).Select(i => Day.AddDays(i)).ToArray();
        var orders = new Dictionary<(string Run, int Day), int>();
        async Task<BatchManifest> RunAsync(string run, int minute, Func<int, string> fileRunOf)
        {
            var entries = new List<BatchViewDay>();
            for (var i = 0; i < days.Length; i++)
            {
                var fileRun = fileRunOf(i);
                var count = 20 + (10 * i) + (100 * (fileRun[1] - '0'));
                orders[(fileRun, i)] = count;
                entries.Add(await DayFileAsync(view, fileRun, days[i], i == 2 && fileRun == "r1" ? [] : TestViews.Aggregate(view, TestViews.PaidOrders(days[i], count, seed: i))));
            }

            return Manifest(view, run, t0.AddMinutes(minute), entries);
        }

        // r2 recomputes days 0 and 1 and carries r1's other days over; r3 recomputes everything.
        var r1 = await RunAsync("r1", 1, _ => "r1");
        var r2 = await RunAsync("r2", 2, i => i < 2 ? "r2" : "r1");
        var r3 = await RunAsync("r3", 3, _ => "r3");
        ulong Expected(Func<int, string> fileRunOf) => (ulong)Enumerable.Range(0, days.Length).Where(i => !(i == 2 && fileRunOf(i) == "r1")).Sum(i => orders[(fileRunOf(i), i)]);

        Assert.Equal(5, await publisher.PublishAsync(r1, CancellationToken.None));
        Assert.Equal(Expected(_ => "r1"), await TotalAsync());
        Assert.Equal(2, await publisher.PublishAsync(r2, CancellationToken.None));
        Assert.Equal(Expected(i => i < 2 ? "r2" : "r1"), await TotalAsync());
        Assert.Equal(0, await publisher.PublishAsync(r2, CancellationToken.None));
        Assert.Equal(Expected(i => i < 2 ? "r2" : "r1"), await TotalAsync());
        Assert.Equal(5, await publisher.PublishAsync(r3, CancellationToken.None));
        Assert.Equal(Expected(_ => "r3"), await TotalAsync());

        // r2's pointer named r2's two days and r1's carried-over days: those stay; r1's days 0 and 1 were named by r1 only.
        var partitions = await _fixture.ClickHouse.Client.QueryRowsAsync($"SELECT DISTINCT toString(toDate(bucket)), __run FROM {sql.RunTableName}");
        var expected = days.Select(d => (d, "r3")).Concat(days[..2].Select(d => (d, "r2"))).Concat(days[3..].Select(d => (d, "r1")))
            .Select(p => $"{p.Item1:yyyy-MM-dd}/{p.Item2}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, partitions.Select(r => $"{r.GetString(0)}/{r.GetString(1)}").Order(StringComparer.Ordinal));

        // The records of the dropped days go with a mutation, which 18.16 applies in the background.
        var records = days.Select(d => (d, "r3")).Concat(days[..2].Select(d => (d, "r2"))).Concat(days[2..].Select(d => (d, "r1")))
            .Select(p => $"{p.Item1:yyyy-MM-dd}/{p.Item2}").Order(StringComparer.Ordinal).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string[] held;
        while (true)
        {
            held = (await _fixture.ClickHouse.Client.QueryRowsAsync(
                    $"SELECT DISTINCT toString(day), file_run FROM {ExactViewTables.Files} WHERE table = '{sql.RunTableName}'"))
                .Select(r => $"{r.GetString(0)}/{r.GetString(1)}").Order(StringComparer.Ordinal).ToArray();
            if (held.SequenceEqual(records) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(records, held);
    }

    [Fact]
    public async Task A_run_with_a_bad_day_file_leaves_the_view_on_the_previous_run()
    {
        var view = TestCatalogs.RevenueByCountry;
        var publisher = Publisher(TestCatalogs.Default);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        var r1 = Manifest(view, "r1", t0, [await DayFileAsync(view, "r1", Day, TestViews.Aggregate(view, TestViews.PaidOrders(Day, 120)))]);
        await publisher.PublishAsync(r1, CancellationToken.None);

        // r2's second day holds rows of another day.
        var good = await DayFileAsync(view, "r2", Day, TestViews.Aggregate(view, TestViews.PaidOrders(Day, 300, seed: 2)));
        var bad = await DayFileAsync(view, "r2", Day.AddDays(1), TestViews.Aggregate(view, TestViews.PaidOrders(Day, 40, seed: 3)));
        var r2 = Manifest(view, "r2", t0.AddMinutes(1), [good, bad]);

        await Assert.ThrowsAsync<InvalidDataException>(() => publisher.PublishAsync(r2, CancellationToken.None));

        Assert.Equal(120UL, await TotalAsync());
        Assert.Equal("r1", await _fixture.ClickHouse.Client.QueryScalarAsync<string>(
            $"SELECT argMax(run_id, version) FROM {ExactViewTables.CurrentRuns} WHERE view = '{view.Name}'"));
    }

    [Fact]
    public async Task A_speed_only_view_of_an_earlier_release_is_replaced_and_a_table_of_the_name_is_left_alone()
    {
        var view = TestCatalogs.RevenueByCountry;
        await _fixture.ClickHouse.Client.ExecuteAsync(SpeedTableSchema.For(view).CreateTableSql(_fixture.ClickHouse.Name));
        await _fixture.ClickHouse.Client.ExecuteAsync(
            SpeedTableSchema.For(view).CreateAnalystViewSql(_fixture.ClickHouse.Name).Replace("_speed`", "`", StringComparison.Ordinal));
        await _fixture.ClickHouse.Client.ExecuteAsync($"CREATE TABLE {_fixture.ClickHouse.Name}.orders_by_status (x UInt8) ENGINE = Memory");

        await Publisher(TestCatalogs.Default).PublishAsync(null, CancellationToken.None);

        var text = await _fixture.ClickHouse.Client.QueryScalarAsync<string>(
            $"SELECT create_table_query FROM system.tables WHERE database = '{_fixture.ClickHouse.Name}' AND name = 'revenue_by_country'");
        Assert.True(ExactViewSql.For(view).IsCurrent(text), text);
        Assert.Equal("Memory", await _fixture.ClickHouse.Client.QueryScalarAsync<string>(
            $"SELECT engine FROM system.tables WHERE database = '{_fixture.ClickHouse.Name}' AND name = 'orders_by_status'"));
        Assert.Equal(0UL, await _fixture.ClickHouse.Client.QueryScalarAsync<ulong>("SELECT count() FROM revenue_by_country"));
    }

    private async Task<ulong> TotalAsync() => await _fixture.ClickHouse.Client.QueryScalarAsync<ulong>("SELECT sum(orders) FROM revenue_by_country");

    private ClickHouseExactViewPublisher Publisher(Catalog catalog) => _fixture.CreatePublisher(catalog);

    /// <summary>Writes a day file of <paramref name="run"/> (named after the view, run and day) and returns its manifest day.</summary>
    private async Task<BatchViewDay> DayFileAsync(ViewDefinition view, string run, DateOnly day, IReadOnlyList<ViewGroup> groups)
    {
        var fileDay = groups.Count == 0 ? day : DateOnly.FromDateTime(groups[0].BucketStart.UtcDateTime);
        return (await _fixture.WriteDayFileAsync(view, $"{view.Name}-{run}-{day:yyyyMMdd}.parquet", day, run, groups, fileDay)).Day;
    }

    private static BatchManifest Manifest(ViewDefinition view, string run, DateTimeOffset at, IReadOnlyList<BatchViewDay> days, IReadOnlyDictionary<int, long>? watermarks = null)
    {
        var entry = new BatchViewEntry
        {
            View = view.Name,
            Source = view.Source.Name,
            DefinitionHash = view.DefinitionHash,
            RunId = run,
            ComputedAt = at,
            Watermarks = watermarks ?? new Dictionary<int, long>(),
            Days = days,
        };
        return new BatchManifest { RunId = run, PublishedAt = at, Views = new Dictionary<string, BatchViewEntry> { [view.Name] = entry } };
    }

    /// <summary>A manifest of <paramref name="run"/> naming one day file, <see cref="Day"/>'s, written first.</summary>
    private async Task<BatchManifest> ManifestAsync(ViewDefinition view, string run, DateTimeOffset at, IReadOnlyList<ViewGroup> groups, Dictionary<int, long> watermarks)
    {
        var file = await _fixture.WriteDayFileAsync(view, $"{view.Name}-{run}.parquet", Day, run, groups);
        return Manifest(view, run, at, [file.Day], watermarks);
    }

    private async Task AssertViewAsync(ViewDefinition view, IReadOnlyList<ViewGroup> expected, Dictionary<string, int> sources)
    {
        var rows = await _fixture.ClickHouse.Client.QueryRowsAsync($"SELECT * FROM {view.Name} ORDER BY bucket, s, b");
        Assert.Equal(expected.Count, rows.Count);
        var byKey = expected.ToDictionary(g => (g.BucketStartMilliseconds, g.GetDimension("s").AsString(), g.GetDimension("b").AsBool()));
        var checkedSketches = 0;
        foreach (var row in rows)
        {
            var key = (new DateTimeOffset(row.GetDateTime(row.GetOrdinal("bucket"))).ToUnixTimeMilliseconds(), row.GetString(row.GetOrdinal("s")), row.GetBoolean(row.GetOrdinal("b")));
            Assert.True(byKey.TryGetValue(key, out var group), $"row {key} is not a group of the events");
            var single = sources[group.KeyToString()] == 1;
            foreach (var measure in view.Measures)
            {
                var value = group.GetValue(measure.Index);
                var where = $"group {group.KeyToString()} measure {measure.Name}";
                switch (measure.Kind)
                {
                    case MeasureKind.Distinct:
                        var ordinal = row.GetOrdinal(measure.Name);
                        Assert.True(single ? row.GetInt64(ordinal) == value.AsLong() : row.IsNull(ordinal), where);
                        checkedSketches += single ? 1 : 0;
                        break;
                    case MeasureKind.Quantiles:
                        foreach (var q in value.AsQuantiles())
                        {
                            var column = row.GetOrdinal(measure.Name + "_" + q.Label);
                            Assert.True(single ? row.GetDouble(column) == q.Value : row.IsNull(column), where + " " + q.Label);
                        }

                        break;
                    default:
                        AssertValue(row, row.GetOrdinal(measure.Name), value, where, measure.FieldType is { Kind: FieldKind.Double } && measure.Kind is MeasureKind.Sum or MeasureKind.Avg);
                        break;
                }
            }
        }

        Assert.True(checkedSketches > 0, "no group was held by a single stored row");
    }

    private static void AssertValue(ClickHouseRow row, int ordinal, MeasureValue value, string where, bool orderDependent)
    {
        switch (value.Kind)
        {
            case MeasureValueKind.Null:
                Assert.True(row.IsNull(ordinal), where);
                break;
            case MeasureValueKind.Long:
                Assert.True(row.GetInt64(ordinal) == value.AsLong(), $"{where}: {row.GetInt64(ordinal)} != {value.AsLong()}");
                break;
            case MeasureValueKind.Decimal:
                Assert.True(row.GetDecimal(ordinal) == value.AsDecimal(), $"{where}: {row.GetDecimal(ordinal)} != {value.AsDecimal()}");
                break;
            case MeasureValueKind.Timestamp:
                Assert.Equal(value.AsTimestamp(), new DateTimeOffset(row.GetDateTime(ordinal)));
                break;
            case MeasureValueKind.Double when orderDependent:
                Assert.True(Math.Abs(row.GetDouble(ordinal) - value.AsDouble()) <= 1e-9 * Math.Max(1, Math.Abs(value.AsDouble())), where);
                break;
            default:
                Assert.True(row.GetDouble(ordinal) == value.AsDouble(), $"{where}: {row.GetDouble(ordinal)} != {value.AsDouble()}");
                break;
        }
    }

    /// <summary>Events of <c>things</c> on <see cref="Day"/>, spread over its first <paramref name="minutes"/> minutes.</summary>
    private static List<string> Things(int first, int count, int minutes)
    {
        var start = new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return Enumerable.Range(first, count).Select(i => string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"ts":"{{start.AddMinutes(i % minutes).AddSeconds(i % 60):yyyy-MM-ddTHH:mm:ssZ}}","s":"s{{i % 3}}","l":{{(i % 7) - 3}},"d":{{(i % 11) * 0.25}},"m":{{(i % 13) * 1.125m - 4}},"b":{{(i % 2 == 0 ? "true" : "false")}},"t":"2026-11-0{{1 + (i % 9)}}T00:00:0{{i % 10}}Z"}"""))
            .ToList();
    }
}
