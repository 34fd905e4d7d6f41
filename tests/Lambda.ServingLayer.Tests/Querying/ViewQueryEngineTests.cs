using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Querying;

public sealed class ViewQueryEngineTests
{
    private const string Hour = "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z";
    private static readonly ViewDefinition View = TestCatalogs.RevenueByCountry;

    private readonly FakeBatchViewStore _batch = new();
    private readonly FakeSpeedViewReader _speed = new();

    [Fact]
    public async Task Batch_below_the_watermark_plus_speed_at_or_above_it_counts_every_event_once()
    {
        var events = Numbered(
            (0, Orders.Create(0, "US", 10.00m)), (0, Orders.Create(0, "US", 5.50m, "u2")), (0, Orders.Create(1, "DE", 7.25m)),
            (0, Orders.Create(2, "US", 1.10m, "u3")), (0, Orders.Create(3, "DE", 99.00m, "u4")), (0, Orders.Create(3, "FR", 0.01m)),
            (1, Orders.Create(0, "US", 3.30m, "u5")), (1, Orders.Create(2, "DE", 8.80m, "u6")), (1, Orders.Create(4, "US", 2.00m)));
        _speed.FlushAll(View, events, p => p == 0 ? [2, 4] : [1]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 4, [1] = 1 }, events);

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour), CancellationToken.None);

        RowAssert.Equal(Aggregate(View, events), result.Rows);
        Assert.Equal("run-1", result.Watermark.RunId);
        Assert.Equal(new Dictionary<int, long> { [0] = 4, [1] = 1 }, result.Watermark.Partitions);
        Assert.Equal(new Dictionary<int, long> { [0] = 6, [1] = 3 }, result.Watermark.Speed);
        Assert.Equal(new Dictionary<int, long> { [0] = 4, [1] = 1 }, Assert.Single(_speed.Reads));
    }

    [Fact]
    public async Task Rolling_groups_up_into_one_row_leaves_the_groups_the_stores_handed_out_as_they_were()
    {
        // Each minute's row is made by one batch group and borrows its states; the roll-up to one row merges them all.
        var events = Numbered(
            (0, Orders.Create(0, "US", 10.00m)), (0, Orders.Create(1, "US", 5.50m, "u2")), (0, Orders.Create(2, "US", 7.25m, "u3")),
            (0, Orders.Create(2, "US", 1.10m, "u4")), (1, Orders.Create(0, "US", 3.30m, "u5")));
        // Offset 3 of partition 0 (minute 2) is above the watermark: its speed delta merges into a borrowed batch row.
        _speed.FlushAll(View, events, p => p == 0 ? [3] : [1]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 3, [1] = 1 }, events);
        var engine = Engine();
        var perMinute = Queries.Parse(TestCatalogs.Default, View.Name, Hour);

        var before = await engine.ExecuteAsync(perMinute, CancellationToken.None);
        var bytesBefore = before.Rows.Select(r => r.States.Select(s => Convert.ToHexString(s.ToBytes())).ToArray()).ToArray();
        var all = await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=all"), CancellationToken.None);
        var after = await engine.ExecuteAsync(perMinute, CancellationToken.None);

        Assert.Equal(5, Assert.Single(all.Rows).States[0].GetValue().AsLong());
        Assert.Equal(bytesBefore, before.Rows.Select(r => r.States.Select(s => Convert.ToHexString(s.ToBytes())).ToArray()).ToArray());
        RowAssert.Equal(Aggregate(View, events), after.Rows);
    }

    [Fact]
    public async Task A_late_event_counts_at_once_in_its_old_bucket_and_never_twice()
    {
        // Offsets 0-2 (minute 0 and 1) are in the batch view; the flush [0, 2] is still in the speed table.
        var early = Numbered((0, Orders.Create(0, "US", 10.00m)), (0, Orders.Create(0, "US", 20.00m, "u2")), (0, Orders.Create(1, "US", 30.00m)));
        _speed.Flush(View, 0, 0, 2, early);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 3 }, early);

        // Much later, an event from minute 0 arrives at offset 3.
        var late = new OffsetEvent(0, 3, Orders.Create(0, "US", 0.05m, "u3", second: 59));
        _speed.Flush(View, 0, 3, 3, [late]);

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour), CancellationToken.None);

        var minute0 = result.Rows[0];
        Assert.Equal(Orders.At(0), minute0.BucketStartMilliseconds);
        Assert.Equal(3, minute0.States[0].GetValue().AsLong());
        Assert.Equal(30.05m, minute0.States[1].GetValue().AsDecimal());
        Assert.Equal(3, minute0.States[3].GetValue().AsLong());
        Assert.Equal(1, result.Rows[1].States[0].GetValue().AsLong());
        RowAssert.Equal(Aggregate(View, [.. early, late]), result.Rows);
    }

    [Fact]
    public async Task Without_a_published_batch_view_every_speed_delta_is_served()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(5, "DE", 2.00m)), (2, Orders.Create(9, "US", 3.00m)));
        _speed.FlushAll(View, events, _ => [1]);

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour), CancellationToken.None);

        RowAssert.Equal(Aggregate(View, events), result.Rows);
        Assert.Null(result.Watermark.RunId);
        Assert.Empty(result.Watermark.Partitions);
        Assert.Empty(Assert.Single(_speed.Reads));
    }

    [Fact]
    public async Task A_batch_view_of_another_definition_is_not_merged()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "US", 2.00m)));
        _speed.FlushAll(View, events, _ => []);
        _batch.Publish(View, "old-run", new Dictionary<int, long> { [0] = 2 }, events, definitionHash: "0123456789abcdef");

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour), CancellationToken.None);

        RowAssert.Equal(Aggregate(View, events), result.Rows);
        Assert.Null(result.Watermark.RunId);
        Assert.Empty(Assert.Single(_speed.Reads));
    }

    [Fact]
    public async Task The_manifest_is_read_once_so_a_publish_during_the_query_is_not_seen()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "US", 2.00m)), (0, Orders.Create(2, "DE", 4.00m)));
        _speed.FlushAll(View, events, _ => [1, 2]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 1 }, events);
        _batch.OnRead = () =>
        {
            _batch.OnRead = null;
            _batch.Publish(View, "run-2", new Dictionary<int, long> { [0] = 3 }, events);
        };

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour), CancellationToken.None);

        Assert.Equal(1, _batch.SnapshotsOpened);
        Assert.Equal("run-1", result.Watermark.RunId);
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, Assert.Single(_speed.Reads));
        RowAssert.Equal(Aggregate(View, events), result.Rows);
    }

    [Theory]
    [InlineData("hour", Granularity.Hour)]
    [InlineData("day", Granularity.Day)]
    public async Task A_coarser_granularity_rolls_minute_buckets_up(string granularity, Granularity expected)
    {
        var events = Numbered(
            (0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(59, "US", 2.00m, "u2")), (0, Orders.Create(60, "US", 4.00m)),
            (1, Orders.Create(61, "DE", 8.00m)), (1, Orders.Create(200, "DE", 16.00m, "u9")), (1, Orders.Create(1439 - 600, "US", 32.00m)));
        _speed.FlushAll(View, events, _ => [1, 2]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 1, [1] = 2 }, events);

        var result = await Engine().ExecuteAsync(
            Queries.Parse(TestCatalogs.Default, View.Name, $"from=2026-11-25&to=2026-11-26&granularity={granularity}"), CancellationToken.None);

        RowAssert.Equal(Aggregate(View, events, expected), result.Rows);
        Assert.All(result.Rows, r => Assert.True(TimeBucket.IsAligned(r.BucketStartMilliseconds, expected)));
    }

    [Fact]
    public async Task All_gives_one_row_per_group_whose_bucket_is_the_range_start()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(30, "US", 2.00m, "u2")), (0, Orders.Create(45, "DE", 4.00m)));
        _speed.FlushAll(View, events, _ => []);

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=all"), CancellationToken.None);

        Assert.Equal(2, result.Rows.Count);
        Assert.All(result.Rows, r => Assert.Equal(Orders.At(0), r.BucketStartMilliseconds));
        Assert.Equal(["DE", "US"], result.Rows.Select(r => r.Dimensions[0].AsString()));
        Assert.Equal(2, result.Rows[1].States[0].GetValue().AsLong());
        Assert.Equal(3.00m, result.Rows[1].States[1].GetValue().AsDecimal());
        Assert.Equal(2, result.Rows[1].States[3].GetValue().AsLong());
    }

    [Fact]
    public async Task Grouping_by_nothing_gives_totals_with_distinct_counts_as_a_sketch_union()
    {
        // u1 buys in the US and in Germany: 3 buyers in all, not 4.
        var events = Numbered(
            (0, Orders.Create(0, "US", 1.00m, "u1")), (0, Orders.Create(1, "DE", 2.00m, "u1")),
            (1, Orders.Create(2, "US", 4.00m, "u2")), (1, Orders.Create(3, "DE", 8.00m, "u3")));
        _speed.FlushAll(View, events, _ => [1]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 1, [1] = 1 }, events);

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=all&group_by="), CancellationToken.None);

        var total = Assert.Single(result.Rows);
        Assert.Empty(total.Dimensions);
        Assert.Equal(4, total.States[0].GetValue().AsLong());
        Assert.Equal(15.00m, total.States[1].GetValue().AsDecimal());
        Assert.Equal(8.00m, total.States[2].GetValue().AsDecimal());
        Assert.Equal(3, total.States[3].GetValue().AsLong());
    }

    [Fact]
    public async Task Filter_values_of_one_dimension_are_alternatives()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(0, "DE", 2.00m)), (0, Orders.Create(0, "FR", 4.00m)));
        _speed.FlushAll(View, events, _ => []);

        var result = await Engine().ExecuteAsync(
            Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&filter=country:US,country:FR"), CancellationToken.None);

        Assert.Equal(["FR", "US"], result.Rows.Select(r => r.Dimensions[0].AsString()));
    }

    [Fact]
    public async Task Filter_applies_before_grouping_so_totals_cover_only_matching_groups()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m)), (0, Orders.Create(2, "US", 4.00m)));
        _speed.FlushAll(View, events, _ => []);

        var result = await Engine().ExecuteAsync(
            Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=all&group_by=&filter=country:US"), CancellationToken.None);

        Assert.Equal(5.00m, Assert.Single(result.Rows).States[1].GetValue().AsDecimal());
    }

    [Fact]
    public async Task Limit_keeps_the_first_rows_in_bucket_then_dimension_order()
    {
        var events = Numbered(
            (0, Orders.Create(1, "US", 1.00m)), (0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(0, "DE", 1.00m)), (0, Orders.Create(0, "AT", 1.00m)));
        _speed.FlushAll(View, events, _ => []);

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&limit=3"), CancellationToken.None);

        Assert.Equal(
            [(Orders.At(0), "AT"), (Orders.At(0), "DE"), (Orders.At(0), "US")],
            result.Rows.Select(r => (r.BucketStartMilliseconds, r.Dimensions[0].AsString())));
    }

    [Fact]
    public async Task The_range_is_half_open()
    {
        var events = Numbered(
            (0, Orders.Create(-1, "US", 1.00m, second: 59)), (0, Orders.Create(0, "US", 2.00m, second: 0)),
            (0, Orders.Create(59, "US", 4.00m, second: 59)), (0, Orders.Create(60, "US", 8.00m, second: 0)));
        _speed.FlushAll(View, events, _ => [2]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 2 }, events);

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=all"), CancellationToken.None);

        Assert.Equal(6.00m, Assert.Single(result.Rows).States[1].GetValue().AsDecimal());
    }

    [Fact]
    public async Task Identical_queries_share_answers_younger_than_the_refresh_time_and_never_serve_one_older_than_the_max_age()
    {
        var first = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "US", 2.00m)));
        _speed.FlushAll(View, first, _ => []);
        var time = new FakeTimeProvider();
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)), time);
        var query = Hour + "&granularity=all";
        Task<ViewQueryResult> Run(string text) => engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, text), CancellationToken.None);

        var a = await Run(query);
        _speed.Flush(View, 0, 2, 2, [new OffsetEvent(0, 2, Orders.Create(2, "US", 4.00m))]);
        time.Advance(TimeSpan.FromMilliseconds(249));
        var shared = await Run(query);
        var readsWhileShared = _speed.Reads.Count;
        var other = await Run(query + "&filter=country:US");
        time.Advance(TimeSpan.FromMilliseconds(1));
        var stale = await Run(query);
        time.Advance(TimeSpan.FromMilliseconds(1000));
        var fresh = await Run(query);

        Assert.Equal(3.00m, Assert.Single(a.Rows).States[1].GetValue().AsDecimal());
        Assert.Equal(3.00m, Assert.Single(shared.Rows).States[1].GetValue().AsDecimal());
        Assert.Equal(1, readsWhileShared);
        Assert.Equal(7.00m, Assert.Single(other.Rows).States[1].GetValue().AsDecimal());
        Assert.Equal(3.00m, Assert.Single(stale.Rows).States[1].GetValue().AsDecimal());
        Assert.Equal(7.00m, Assert.Single(fresh.Rows).States[1].GetValue().AsDecimal());
    }

    [Fact]
    public async Task Only_the_caller_that_started_a_computation_is_charged_its_groups_and_a_refresh_costs_only_the_new_flushes()
    {
        // Per minute, the view's granularity: the read ports give one group per minute and flush, nothing rolled up.
        _speed.FlushAll(View, Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "US", 2.00m))), _ => []);
        var time = new FakeTimeProvider();
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)), time);
        var query = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=minute");

        var started = await engine.ExecuteAsync(query, CancellationToken.None);
        var shared = await engine.ExecuteAsync(query, CancellationToken.None);
        _speed.Flush(View, 0, 2, 2, [new OffsetEvent(0, 2, Orders.Create(2, "US", 4.00m))]);
        time.Advance(TimeSpan.FromSeconds(2));
        var refreshed = await engine.ExecuteAsync(query, CancellationToken.None);
        var unshared = await Engine().ExecuteAsync(query, CancellationToken.None);

        Assert.Equal(2, started.GroupsComputed);
        Assert.Equal(0, shared.GroupsComputed);
        Assert.Equal(1, refreshed.GroupsComputed);
        Assert.Equal(3, unshared.GroupsComputed);
        Assert.Equal([1.00m, 2.00m, 4.00m], refreshed.Rows.Select(r => r.States[1].GetValue().AsDecimal()));
    }

    [Fact]
    public async Task A_failed_computation_is_not_shared_with_later_queries()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)));
        var speed = new FailingOnceSpeedStore(events);
        var engine = new ViewQueryEngine(_batch, speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), new FakeTimeProvider());
        var query = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=all");

        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.ExecuteAsync(query, CancellationToken.None));
        var result = await engine.ExecuteAsync(query, CancellationToken.None);

        Assert.Equal(1.00m, Assert.Single(result.Rows).States[1].GetValue().AsDecimal());
        Assert.Same(query, result.Query);
    }

    [Fact]
    public async Task A_refresh_merges_only_the_flushes_stored_since_the_answer_it_refreshes_and_leaves_that_answer_as_it_was()
    {
        var early = Numbered(
            (0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m)), (0, Orders.Create(2, "US", 4.00m, "u2")),
            (1, Orders.Create(0, "US", 8.00m, "u3")), (1, Orders.Create(3, "FR", 16.00m)));
        _speed.FlushAll(View, early, _ => [2]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 2, [1] = 0 }, early);
        var time = new FakeTimeProvider();
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)), time);
        var query = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=hour&group_by=country");

        var first = await engine.ExecuteAsync(query, CancellationToken.None);
        var firstRows = first.Rows.Select(r => (r.Dimensions[0], r.Values[0].AsLong(), r.Values[1].AsDecimal())).ToArray();

        // New flushes: a late event for minute 0 on partition 0, more on partition 1, and a partition never seen.
        var later = new[]
        {
            new OffsetEvent(0, 3, Orders.Create(0, "US", 32.00m, "u4", second: 59)),
            new OffsetEvent(1, 2, Orders.Create(4, "DE", 64.00m)),
            new OffsetEvent(2, 0, Orders.Create(5, "JP", 128.00m)),
        };
        foreach (var e in later)
        {
            _speed.Flush(View, e.Partition, e.Offset, e.Offset, [e]);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await engine.ExecuteAsync(query, CancellationToken.None);

        Assert.Equal(2, _speed.Reads.Count);
        Assert.Equal(first.Watermark.Speed, _speed.Reads[1]);
        Assert.Equal(new Dictionary<int, long> { [0] = 4, [1] = 3, [2] = 1 }, refreshed.Watermark.Speed);
        var fromScratch = await Engine().ExecuteAsync(query, CancellationToken.None);
        RowAssert.Equal(fromScratch.Rows, refreshed.Rows);
        Assert.Equal(["DE", "FR", "JP", "US"], refreshed.Rows.Select(r => r.Dimensions[0].AsString()));
        Assert.Equal(45.00m, refreshed.Rows.Single(r => r.Dimensions[0].AsString() == "US").Values[1].AsDecimal());
        Assert.Equal(firstRows, first.Rows.Select(r => (r.Dimensions[0], r.States[0].GetValue().AsLong(), r.States[1].GetValue().AsDecimal())).ToArray());
    }

    [Fact]
    public async Task Hundreds_of_groups_rolled_up_and_refreshed_give_one_row_per_hour_and_country_with_every_event_counted()
    {
        // 300 countries over five minutes of the first hour and two of the second, minute after minute. The batch view
        // holds minutes 0-2 and hands out a group per minute, so the first hour's rows outgrow the accumulator's first
        // arrays and index many times and most of its groups merge into a row made before such a growth; the speed side
        // adds minute 3 to those rows, and the refresh merges minute 4 into a fork of them and adds the second hour's.
        var orders = (from minute in new[] { 0, 1, 2, 3, 4, 60, 61 }
                      from country in Enumerable.Range(0, 300)
                      select (Minute: minute, Country: $"C{country:D3}", Amount: 1.00m + country)).ToArray();
        var events = Numbered([.. orders.Select(o => (0, Orders.Create(o.Minute, o.Country, o.Amount)))]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 900 }, events);
        _speed.FlushAll(View, events.Take(1_200), _ => [900]);
        var time = new FakeTimeProvider();
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)), time);
        var query = Queries.Parse(TestCatalogs.Default, View.Name, "from=2026-11-25T10:00:00Z&to=2026-11-25T12:00:00Z&granularity=hour&group_by=country");
        var first = await engine.ExecuteAsync(query, CancellationToken.None);
        var later = events.Skip(1_200).ToArray();
        _speed.Flush(View, 0, later[0].Offset, later[^1].Offset, later);
        time.Advance(TimeSpan.FromSeconds(1));

        var refreshed = await engine.ExecuteAsync(query, CancellationToken.None);
        var fromScratch = await Engine().ExecuteAsync(query, CancellationToken.None);

        // The oracle: the orders counted by hour and country directly from what was generated.
        var tenOClock = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var expected = orders
            .GroupBy(o => (Hour: tenOClock + (o.Minute / 60 * 3_600_000L), o.Country))
            .OrderBy(g => g.Key.Hour).ThenBy(g => g.Key.Country, StringComparer.Ordinal)
            .Select(g => (g.Key.Hour, g.Key.Country, (long)g.Count(), g.Sum(o => o.Amount)))
            .ToArray();
        Assert.Equal(first.Watermark.Speed, _speed.Reads[1]);
        foreach (var result in new[] { refreshed, fromScratch })
        {
            Assert.Equal(expected, result.Rows.Select(r => (r.BucketStartMilliseconds, r.Dimensions[0].AsString(), r.Values[0].AsLong(), r.Values[1].AsDecimal())).ToArray());
        }
    }

    [Fact]
    public async Task A_refresh_that_merges_into_a_row_whose_values_were_finalised_and_kept_serves_the_new_values()
    {
        // 2,000 distinct buyers: a dense sketch, costly to finalise, so the answer keeps the row and its values.
        _speed.FlushAll(View, Numbered([.. Enumerable.Range(0, 2_000).Select(i => (0, Orders.Create(0, "US", 1.25m, $"u{i}")))]), _ => []);
        var time = new FakeTimeProvider();
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)), time);
        var query = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=hour&group_by=country");

        var first = await engine.ExecuteAsync(query, CancellationToken.None);
        var firstValues = Assert.Single(first.Rows).Values.ToArray();
        var later = Enumerable.Range(0, 1_000).Select(i => new OffsetEvent(0, 2_000 + i, Orders.Create(1, "US", 1.25m, $"v{i}"))).ToArray();
        _speed.Flush(View, 0, 2_000, 2_999, later);
        time.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await engine.ExecuteAsync(query, CancellationToken.None);

        Assert.Equal(first.Watermark.Speed, _speed.Reads[1]);
        // Measure 3 is buyers: distinct(user_id).
        Assert.True(Assert.Single(first.Rows).States[3].IsCostlyToFinalise);
        Assert.InRange(firstValues[3].AsLong(), 1_970, 2_030);
        Assert.Equal(3_000, Assert.Single(refreshed.Rows).Values[0].AsLong());
        Assert.InRange(Assert.Single(refreshed.Rows).Values[3].AsLong(), 2_970, 3_030);
        RowAssert.Equal((await Engine().ExecuteAsync(query, CancellationToken.None)).Rows, refreshed.Rows);
        Assert.Equal(firstValues, Assert.Single(first.Rows).Values);
    }

    [Fact]
    public async Task An_answer_asked_once_is_dropped_at_the_max_age_a_repeated_one_is_refreshed_from_for_ten_seconds()
    {
        _speed.FlushAll(View, Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m))), _ => []);
        var time = new FakeTimeProvider();
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)), time);
        var query = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=hour");
        var other = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=all");

        var first = await engine.ExecuteAsync(query, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));
        // The other query's computation sweeps: the first answer was asked once and is older than the max age.
        await engine.ExecuteAsync(other, CancellationToken.None);
        var repeated = await engine.ExecuteAsync(query, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        await engine.ExecuteAsync(other, CancellationToken.None);
        var kept = await engine.ExecuteAsync(query, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(11));
        await engine.ExecuteAsync(other, CancellationToken.None);
        var dropped = await engine.ExecuteAsync(query, CancellationToken.None);

        // Reads: first, other, repeated (from scratch), other, kept (a refresh from repeated's watermark), other, dropped (from scratch).
        Assert.Equal(7, _speed.Reads.Count);
        Assert.Equal(_speed.Reads[0], _speed.Reads[2]);
        Assert.Equal(repeated.Watermark.Speed, _speed.Reads[4]);
        Assert.NotEqual(_speed.Reads[0], _speed.Reads[4]);
        Assert.Equal(_speed.Reads[0], _speed.Reads[6]);
        Assert.Equal(2, first.GroupsComputed);
        Assert.Equal(2, repeated.GroupsComputed);
        Assert.Equal(0, kept.GroupsComputed);
        Assert.Equal(2, dropped.GroupsComputed);
        RowAssert.Equal(first.Rows, kept.Rows);
        RowAssert.Equal(first.Rows, dropped.Rows);
    }

    [Fact]
    public async Task A_new_batch_publish_or_the_rebase_interval_merges_from_scratch_again()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m)), (0, Orders.Create(2, "US", 4.00m)));
        _speed.FlushAll(View, events, _ => [1, 2]);
        _batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 1 }, events);
        var time = new FakeTimeProvider();
        var sharing = Sharing(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)) with { Rebase = TimeSpan.FromSeconds(10) };
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, sharing, time);
        var query = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&granularity=all&filter=country:US");
        async Task<ViewQueryResult> Refresh()
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return await engine.ExecuteAsync(query, CancellationToken.None);
        }

        await engine.ExecuteAsync(query, CancellationToken.None);
        await Refresh();
        _batch.Publish(View, "run-2", new Dictionary<int, long> { [0] = 2 }, events);
        var afterPublish = await Refresh();
        await Refresh();
        time.Advance(TimeSpan.FromSeconds(9));
        var afterRebase = await Refresh();

        Assert.Equal(
            [new Dictionary<int, long> { [0] = 1 }, new Dictionary<int, long> { [0] = 3 }, new Dictionary<int, long> { [0] = 2 }, new Dictionary<int, long> { [0] = 3 }, new Dictionary<int, long> { [0] = 2 }],
            _speed.Reads);
        Assert.Equal("run-2", afterPublish.Watermark.RunId);
        Assert.Equal(5.00m, Assert.Single(afterPublish.Rows).States[1].GetValue().AsDecimal());
        Assert.Equal(5.00m, Assert.Single(afterRebase.Rows).States[1].GetValue().AsDecimal());
    }

    [Fact]
    public async Task An_answer_cut_by_its_limit_is_refreshed_from_scratch_so_no_rows_beyond_it_are_kept()
    {
        var events = Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m)), (0, Orders.Create(2, "US", 4.00m)));
        _speed.FlushAll(View, events, _ => []);
        var time = new FakeTimeProvider();
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)), time);
        var cut = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&limit=2");
        var whole = Queries.Parse(TestCatalogs.Default, View.Name, Hour + "&limit=3");

        foreach (var query in new[] { cut, whole })
        {
            await engine.ExecuteAsync(query, CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
            await engine.ExecuteAsync(query, CancellationToken.None);
        }

        Assert.Equal([0L, 0L, 0L, 3L], _speed.Reads.Select(r => r.GetValueOrDefault(0)));
    }

    [Fact]
    public async Task A_shared_computation_runs_while_one_caller_still_waits_and_is_cancelled_when_the_last_one_gives_up()
    {
        var speed = new BlockingSpeedViewReader(View.Name);
        var engine = new ViewQueryEngine(_batch, speed, NullLogger<ViewQueryEngine>.Instance, Sharing(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), new FakeTimeProvider());
        var query = Queries.Parse(TestCatalogs.Default, View.Name, Hour);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();

        var firstWait = engine.ExecuteAsync(query, first.Token);
        await speed.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var secondWait = engine.ExecuteAsync(query, second.Token);
        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstWait);
        await Task.Delay(100);

        Assert.False(speed.Cancelled.Task.IsCompleted, "the computation was cancelled while a caller still waited for it");
        Assert.Equal(1, speed.Running);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => secondWait);
        await speed.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, speed.Running);
    }

    private static QueryResultSharing Sharing(TimeSpan refresh, TimeSpan maxAge) =>
        new() { Refresh = refresh, MaxAge = maxAge, Rebase = TimeSpan.FromMinutes(1) };

    internal static IReadOnlyList<ViewGroup> Aggregate(ViewDefinition view, IEnumerable<OffsetEvent> events, Granularity? granularity = null)
    {
        var aggregator = new ViewAggregator(view, granularity);
        foreach (var e in events)
        {
            aggregator.Add(e.Record);
        }

        return aggregator.Drain();
    }

    /// <summary>Gives each event the next offset of its partition.</summary>
    internal static IReadOnlyList<OffsetEvent> Numbered(params (int Partition, EventRecord Record)[] events)
    {
        var next = new Dictionary<int, long>();
        return events.Select(e =>
        {
            var offset = next.GetValueOrDefault(e.Partition);
            next[e.Partition] = offset + 1;
            return new OffsetEvent(e.Partition, offset, e.Record);
        }).ToArray();
    }

    private ViewQueryEngine Engine() => new(_batch, _speed, NullLogger<ViewQueryEngine>.Instance);

    private sealed class FailingOnceSpeedStore(IEnumerable<OffsetEvent> events) : ISpeedViewReader
    {
        private int _calls;

        public Task<SpeedViewRead> ReadAsync(
            ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> from, Granularity granularity, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new InvalidOperationException("ClickHouse is down")
                : Task.FromResult(new SpeedViewRead(Aggregate(view, events), new Dictionary<int, long>()));
    }
}
