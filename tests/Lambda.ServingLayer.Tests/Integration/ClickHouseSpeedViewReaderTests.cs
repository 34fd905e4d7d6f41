extern alias speedlayer;

using Lambda.ServingLayer.Limits;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Time;
using speedlayer::Lambda.SpeedLayer.Storage;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>
/// The serving layer's speed read port over the shared speed table format against ClickHouse 18.16, in a database of
/// its own; the tables are written by the speed layer's own writer.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ClickHouseSpeedViewReaderTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private readonly ClickHouseClient _client;

    public ClickHouseSpeedViewReaderTests()
    {
        _client = new ClickHouseClient(_http, new ClickHouseOptions { Url = StackEndpoints.Load().ClickHouseUrl, Database = $"it_serving_{Guid.NewGuid():N}" });
    }

    public Task InitializeAsync() => _client.EnsureDatabaseAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _client.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(_client.Database)}", CancellationToken.None);
        _http.Dispose();
    }

    [Fact]
    public async Task Reads_exactly_the_flushes_at_or_above_the_watermark_and_the_next_offsets_of_every_partition()
    {
        var view = TestCatalogs.RevenueByCountry;
        var writer = new SpeedTableWriter(Shared(), view);
        await writer.CreateAsync();
        var events = ViewQueryEngineTests.Numbered(
            (0, Orders.Create(0, "US", 1.00m, "u1")), (0, Orders.Create(1, "D'E", 2.00m, "u2")), (0, Orders.Create(1, "US", 4.00m, "u1")),
            (0, Orders.Create(0, "US", 8.00m, "u3")), (0, Orders.Create(2, "FR", 16.00m, "u4")),
            (1, Orders.Create(3, "US", 32.00m, "u5")), (1, Orders.Create(3, "US", 64.00m, "u6", status: "failed")), (1, Orders.Create(59, "D'E", 0.50m, "u7")));
        var flushes = new (int Partition, long First, long Last)[] { (0, 0, 1), (0, 2, 3), (0, 4, 4), (1, 0, 0), (1, 1, 1), (1, 2, 2) };
        foreach (var (partition, first, last) in flushes)
        {
            await writer.FlushAsync(partition, first, last, events.Where(e => e.Partition == partition && e.Offset >= first && e.Offset <= last));
        }

        var watermark = new Dictionary<int, long> { [0] = 2 };
        var selection = new ViewSelection(new TimeRange(Orders.At(0), Orders.At(60)));

        var read = await Store().ReadAsync(view, selection, watermark, view.Granularity, CancellationToken.None);

        var expected = ViewQueryEngineTests.Aggregate(view, events.Where(e => e.Partition == 1 || e.Offset >= 2));
        Assert.Null(ViewAggregator.FindDifference(expected, read.Groups));
        Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 3 }, read.NextOffsets);
    }

    [Fact]
    public async Task Every_read_carries_the_query_timeout_as_max_execution_time_and_the_server_accepts_it()
    {
        var view = TestCatalogs.RevenueByCountry;
        var writer = new SpeedTableWriter(Shared(), view);
        await writer.CreateAsync();
        var events = ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m)));
        await writer.FlushAsync(0, 0, 1, events);
        var recording = new RecordingClickHouseClient(_client);
        var reader = new ClickHouseSpeedViewReader(recording, Options.Create(new QueryLimitsOptions { Timeout = TimeSpan.FromSeconds(6.5) }));

        var read = await reader.ReadAsync(
            view, new ViewSelection(new TimeRange(Orders.At(0), Orders.At(60))), new Dictionary<int, long>(), view.Granularity, CancellationToken.None);

        Assert.Null(ViewAggregator.FindDifference(ViewQueryEngineTests.Aggregate(view, events), read.Groups));
        // The fences, the bound and the rows.
        Assert.Equal(3, recording.Calls.Count);
        Assert.All(recording.Calls, call => Assert.Equal("7", call?.Settings?["max_execution_time"]));
    }

    [Fact]
    public async Task A_read_from_where_the_previous_one_ended_gets_exactly_the_flushes_stored_since_including_new_partitions()
    {
        var view = TestCatalogs.RevenueByCountry;
        var writer = new SpeedTableWriter(Shared(), view);
        await writer.CreateAsync();
        var events = ViewQueryEngineTests.Numbered(
            (0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m)), (0, Orders.Create(0, "US", 4.00m, "u2")),
            (1, Orders.Create(2, "US", 8.00m)), (1, Orders.Create(3, "FR", 16.00m)),
            (2, Orders.Create(0, "US", 32.00m)));
        await writer.FlushAsync(0, 0, 1, events.Where(e => e.Partition == 0 && e.Offset <= 1));
        await writer.FlushAsync(1, 0, 0, events.Where(e => e.Partition == 1 && e.Offset == 0));
        var selection = new ViewSelection(new TimeRange(Orders.At(0), Orders.At(60)));
        var first = await Store().ReadAsync(view, selection, new Dictionary<int, long> { [0] = 0, [1] = 0 }, view.Granularity, CancellationToken.None);

        await writer.FlushAsync(0, 2, 2, events.Where(e => e.Partition == 0 && e.Offset == 2));
        await writer.FlushAsync(1, 1, 1, events.Where(e => e.Partition == 1 && e.Offset == 1));
        await writer.FlushAsync(2, 0, 0, events.Where(e => e.Partition == 2));
        var second = await Store().ReadAsync(view, selection, first.NextOffsets, view.Granularity, CancellationToken.None);
        var third = await Store().ReadAsync(view, selection, second.NextOffsets, view.Granularity, CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [0] = 2, [1] = 1 }, first.NextOffsets);
        Assert.Null(ViewAggregator.FindDifference(
            ViewQueryEngineTests.Aggregate(view, events.Where(e => (e.Partition == 0 && e.Offset <= 1) || (e.Partition == 1 && e.Offset == 0))),
            first.Groups));
        Assert.Equal(new Dictionary<int, long> { [0] = 3, [1] = 2, [2] = 1 }, second.NextOffsets);
        Assert.Null(ViewAggregator.FindDifference(
            ViewQueryEngineTests.Aggregate(view, events.Where(e => (e.Partition == 0 && e.Offset == 2) || (e.Partition == 1 && e.Offset == 1) || e.Partition == 2)),
            second.Groups));
        Assert.Empty(third.Groups);
        Assert.Empty(third.NextOffsets);
    }

    [Fact]
    public async Task Dimension_filters_and_the_range_select_groups_including_quoted_values()
    {
        var view = TestCatalogs.RevenueByCountry;
        var writer = new SpeedTableWriter(Shared(), view);
        await writer.CreateAsync();
        var events = ViewQueryEngineTests.Numbered(
            (0, Orders.Create(-1, "US", 1.00m)), (0, Orders.Create(0, "D'E", 2.00m)), (0, Orders.Create(0, "US", 4.00m)),
            (0, Orders.Create(0, "F\\R", 8.00m)), (0, Orders.Create(30, "US", 16.00m)), (0, Orders.Create(60, "US", 32.00m)));
        await writer.FlushAsync(0, 0, 5, events);
        var country = view.Dimensions[0];
        var selection = new ViewSelection(
            new TimeRange(Orders.At(0), Orders.At(60)),
            new DimensionFilter([new DimensionCondition(country, 0, [FieldValue.FromString("D'E"), FieldValue.FromString("US"), FieldValue.FromString("F\\R")])]));

        var read = await Store().ReadAsync(view, selection, new Dictionary<int, long>(), view.Granularity, CancellationToken.None);

        Assert.Equal(
            [(Orders.At(0), "D'E"), (Orders.At(0), "F\\R"), (Orders.At(0), "US"), (Orders.At(30), "US")],
            read.Groups.Order(ViewGroup.KeyComparer).Select(g => (g.BucketStartMilliseconds, g.Dimensions[0].AsString())));
    }

    [Fact]
    public async Task Every_dimension_type_and_measure_layout_reads_back_exactly()
    {
        var view = TypeCatalogs.AllTypes.GetView("by_everything");
        var writer = new SpeedTableWriter(Shared(), view);
        await writer.CreateAsync();
        var events = ViewQueryEngineTests.Numbered(
            (0, Reading(view, "a", 1, 0.25, 1.125m, true, 10)), (0, Reading(view, "a", 1, 0.25, 1.125m, true, 10)),
            (0, Reading(view, "b", -2, 0.5, 99.999m, false, 20)), (1, Reading(view, "a", 1, 0.25, 1.125m, true, 10)),
            (1, Reading(view, "c", 3, 1.75, -0.001m, true, 30)));
        await writer.FlushAsync(0, 0, 1, events.Where(e => e.Partition == 0 && e.Offset <= 1));
        await writer.FlushAsync(0, 2, 2, events.Where(e => e.Partition == 0 && e.Offset == 2));
        await writer.FlushAsync(1, 0, 1, events.Where(e => e.Partition == 1));
        var selection = new ViewSelection(
            new TimeRange(Orders.At(0), Orders.At(120)),
            new DimensionFilter(
            [
                new DimensionCondition(view.Dimensions[1], 1, [FieldValue.FromLong(1), FieldValue.FromLong(3)]),
                new DimensionCondition(view.Dimensions[4], 4, [FieldValue.FromBool(true)]),
                new DimensionCondition(view.Dimensions[3], 3, [FieldValue.FromDecimal(1.125m, view.Dimensions[3].Type)]),
            ]));

        var read = await Store().ReadAsync(view, selection, new Dictionary<int, long>(), view.Granularity, CancellationToken.None);

        var expected = ViewQueryEngineTests.Aggregate(view, events).Where(selection.Matches).ToArray();
        Assert.Equal(3, Assert.Single(expected).GetValue("n").AsLong());
        Assert.Null(ViewAggregator.FindDifference(expected, read.Groups));
    }

    [Fact]
    public async Task A_view_without_a_speed_table_has_no_deltas()
    {
        var read = await Store().ReadAsync(
            TestCatalogs.RevenueByCountry, new ViewSelection(new TimeRange(Orders.At(0), Orders.At(60))), new Dictionary<int, long>(), Granularity.Minute, CancellationToken.None);

        Assert.Empty(read.Groups);
        Assert.Empty(read.NextOffsets);
    }

    [Fact]
    public async Task The_engine_over_clickhouse_serves_late_events_once()
    {
        var view = TestCatalogs.RevenueByCountry;
        var writer = new SpeedTableWriter(Shared(), view);
        await writer.CreateAsync();
        var early = ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 10.00m)), (0, Orders.Create(0, "US", 20.00m, "u2")));
        await writer.FlushAsync(0, 0, 1, early);
        var late = new OffsetEvent(0, 2, Orders.Create(0, "US", 0.05m, "u3"));
        await writer.FlushAsync(0, 2, 2, [late]);
        var batch = new FakeBatchViewStore();
        batch.Publish(view, "run-1", new Dictionary<int, long> { [0] = 2 }, early);
        var engine = new ViewQueryEngine(batch, Store(), NullLogger<ViewQueryEngine>.Instance);

        var result = await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z"), CancellationToken.None);

        var row = Assert.Single(result.Rows);
        Assert.Equal(3, row.States[0].GetValue().AsLong());
        Assert.Equal(30.05m, row.States[1].GetValue().AsDecimal());
        Assert.Equal(3, result.Watermark.Speed[0]);
    }

    [Theory]
    [InlineData("from=2026-11-25T00:00:00Z&to=2026-11-27T00:00:00Z&granularity=hour")]
    [InlineData("from=2026-11-25T00:00:00Z&to=2026-11-27T00:00:00Z&granularity=all")]
    [InlineData("from=2026-11-25T11:00:00Z&to=2026-11-26T11:00:00Z&granularity=day")]
    [InlineData("from=2026-11-25T10:30:00Z&to=2026-11-26T11:15:00Z&granularity=hour&filter=country:DE")]
    [InlineData("from=2026-11-25T10:30:00Z&to=2026-11-26T11:15:00Z&granularity=hour&where=country%20!%3D%20%27DE%27")]
    [InlineData("from=2026-11-25T10:30:00Z&to=2026-11-26T11:15:00Z&granularity=all&filter=country:DE,country:US&where=country%20%3D%20%27US%27")]
    [InlineData("from=2026-11-25T10:30:00Z&to=2026-11-26T11:15:00Z&granularity=all")]
    public async Task Speed_groups_rolled_up_in_the_read_answer_exactly_like_the_stored_minutes(string query)
    {
        var view = TestCatalogs.RevenueByCountry;
        var writer = new SpeedTableWriter(Shared(), view);
        await writer.CreateAsync();
        var events = ViewQueryEngineTests.Numbered(Enumerable.Range(0, 300).Select(i =>
            (0, Orders.Create((i * 97) % (26 * 60), i % 3 == 0 ? "DE" : "US", (i + 1) / 4m, "u" + (i % 37)))).ToArray());
        await writer.FlushAsync(0, 0, 149, events.Take(150));
        await writer.FlushAsync(0, 150, 299, events.Skip(150));
        var fake = new FakeSpeedViewReader();
        fake.FlushAll(view, events, _ => [150L]);
        var parsed = Queries.Parse(TestCatalogs.Default, view.Name, query);
        var batch = new FakeBatchViewStore();
        batch.Publish(view, "run-1", new Dictionary<int, long> { [0] = 150 }, events);

        var want = await new ViewQueryEngine(batch, fake, NullLogger<ViewQueryEngine>.Instance).ExecuteAsync(parsed, CancellationToken.None);
        var got = await new ViewQueryEngine(batch, Store(), NullLogger<ViewQueryEngine>.Instance).ExecuteAsync(parsed, CancellationToken.None);

        Assert.NotEmpty(want.Rows);
        Assert.Equal(want.Rows.Count, got.Rows.Count);
        for (var i = 0; i < want.Rows.Count; i++)
        {
            Assert.Equal(want.Rows[i].BucketStartMilliseconds, got.Rows[i].BucketStartMilliseconds);
            Assert.Equal(want.Rows[i].Dimensions, got.Rows[i].Dimensions);
            Assert.All(want.Rows[i].States.Zip(got.Rows[i].States), p => Assert.True(p.First.ContentEquals(p.Second), $"row {i}: {p.First} vs {p.Second}"));
        }
    }

    private ClickHouseSpeedTableWriter Shared() => new(_client, NullLogger<ClickHouseSpeedTableWriter>.Instance);

    private ClickHouseSpeedViewReader Store() => new(_client);

    private static EventRecord Reading(ViewDefinition view, string site, long floor, double ratio, decimal price, bool ok, int seenSecond)
    {
        var source = view.Source;
        var record = new EventRecord(source);
        record.SetTimestamp(Orders.BaseTime.AddMinutes(floor + 5));
        record.SetString(source.GetField("site").Ordinal, site);
        record.SetLong(source.GetField("floor").Ordinal, floor);
        record.SetDouble(source.GetField("ratio").Ordinal, ratio);
        record.SetDecimal(source.GetField("price").Ordinal, price);
        record.SetDecimal(source.GetField("big").Ordinal, price * 1_000);
        record.SetBool(source.GetField("ok").Ordinal, ok);
        record.SetTimestamp(source.GetField("seen").Ordinal, Orders.BaseTime.AddSeconds(seenSecond));
        return record;
    }
}
