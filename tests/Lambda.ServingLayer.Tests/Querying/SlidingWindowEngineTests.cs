using FsCheck.Xunit;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Querying;

/// <summary>
/// Sliding windows (<c>window=</c>) through <see cref="ViewQueryEngine"/>, batch ⊕ speed with late events, against
/// <see cref="WindowOracle"/>: each row's states built from the raw events of its window, byte for byte.
/// </summary>
public sealed class SlidingWindowEngineTests
{
    private const string TwoHours = "from=2026-11-25T10:00:00Z&to=2026-11-25T12:00:00Z";
    private static readonly string[] Countries = ["US", "DE", "FR", "JP"];
    private static readonly string[] Statuses = ["paid", "paid", "failed", "refunded"];

    private readonly FakeBatchViewStore _batch = new();
    private readonly FakeSpeedViewReader _speed = new();

    [Fact]
    public async Task Each_row_holds_its_trailing_window_and_a_group_has_rows_wherever_its_window_holds_data()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered(
            (0, Orders.Create(-2, "US", 1.00m)), (0, Orders.Create(0, "US", 2.00m, "u2")), (1, Orders.Create(1, "DE", 4.00m)),
            (1, Orders.Create(5, "US", 8.00m)), (0, Orders.Create(10, "US", 16.00m)), (0, Orders.Create(-3, "US", 32.00m)),
            (1, Orders.Create(1, "DE", 64.00m, status: "failed")));
        _speed.FlushAll(view, events, _ => [2]);
        _batch.Publish(view, "run-1", new Dictionary<int, long> { [0] = 2, [1] = 2 }, events);

        var result = await Engine().ExecuteAsync(
            Queries.Parse(TestCatalogs.Default, view.Name, "from=2026-11-25T10:00:00Z&to=2026-11-25T10:10:00Z&window=3m"), CancellationToken.None);

        // The minute -3 order is outside every window ([09:58, 10:01) is the first); minute 10 is after 'to'.
        Assert.Equal(
            [(0, "US", 2L, 3.00m), (1, "DE", 1L, 4.00m), (1, "US", 1L, 2.00m), (2, "DE", 1L, 4.00m), (2, "US", 1L, 2.00m), (3, "DE", 1L, 4.00m),
             (5, "US", 1L, 8.00m), (6, "US", 1L, 8.00m), (7, "US", 1L, 8.00m)],
            result.Rows.Select(r => ((int)((r.BucketStartMilliseconds - Orders.At(0)) / 60_000), r.Dimensions[0].AsString(), r.Values[0].AsLong(), r.Values[1].AsDecimal())));
        Assert.Equal(2, result.Rows[0].Values[3].AsLong());
        WindowOracle.Equal(Oracle(view, events, 0, 10, 60_000, 3 * 60_000, [0]), result.Rows);
    }

    [Property(MaxTest = 120)]
    public void Every_window_equals_the_events_of_the_window_added_into_one_state(int seed, byte viewPick, byte windowPick, bool grouped)
    {
        var view = new[] { TestCatalogs.RevenueByCountry, TestCatalogs.Default.GetView("orders_by_status"), TestCatalogs.Default.GetView("order_amounts") }[viewPick % 3];
        var hourly = view.Granularity == Lambda.Shared.Time.Granularity.Hour || windowPick % 4 == 0;
        var windowBuckets = hourly ? 1 + (windowPick % 4) : new[] { 1, 2, 5, 15, 60, 90 }[windowPick % 6];
        var width = hourly ? 3_600_000L : 60_000L;

        // Events from four hours before 'from' to one hour after 'to' (FsCheck's own numbers stay small, so a seeded
        // generator spreads them), in random partitions: the offsets decide batch or speed, so late events (old
        // times at high offsets) fall on both sides of the watermark.
        var random = new Random(seed);
        var events = ViewQueryEngineTests.Numbered(Enumerable.Range(0, random.Next(0, 400))
            .Select(_ => (random.Next(3), Orders.Create(
                random.Next(-240, 180), Countries[random.Next(Countries.Length)], random.Next(1, 100_000) / 100m, $"u{random.Next(60)}", Statuses[random.Next(Statuses.Length)], second: random.Next(60))))
            .ToArray());
        var boundaries = events.GroupBy(e => e.Partition).ToDictionary(
            g => g.Key,
            g =>
            {
                var end = g.Max(e => e.Offset) + 1;
                return Enumerable.Range(0, random.Next(4)).Select(_ => random.NextInt64(end + 1)).Append(0).Append(end).Distinct().Order().ToArray();
            });
        var speed = new FakeSpeedViewReader();
        speed.FlushAll(view, events, p => boundaries[p]);
        var batch = new FakeBatchViewStore();
        batch.Publish(view, "run", boundaries.ToDictionary(b => b.Key, b => b.Value[random.Next(b.Value.Length)]), events);
        var windowText = hourly ? $"{windowBuckets}h" : $"{windowBuckets}m";
        var query = Queries.Parse(
            TestCatalogs.Default, view.Name, $"{TwoHours}&granularity={(hourly ? "hour" : "minute")}&window={windowText}&group_by={(grouped ? "country" : string.Empty)}"
                .Replace("group_by=country", view.Dimensions.Any(d => d.Name == "country") ? "group_by=country" : "group_by=status", StringComparison.Ordinal));

        var result = new ViewQueryEngine(batch, speed, NullLogger<ViewQueryEngine>.Instance).ExecuteAsync(query, CancellationToken.None).GetAwaiter().GetResult();

        var expected = Oracle(view, events, 0, 120, width, windowBuckets * width, query.GroupBy);
        WindowOracle.Equal(expected, result.Rows);
        Assert.Equal(expected.Select(r => string.Join("|", r.Dimensions.Select(d => d.ToCanonicalString()))).Distinct().Count(), result.GroupCount);
    }

    [Fact]
    public async Task A_refreshed_windowed_answer_takes_in_late_flushes_before_from_and_equals_the_oracle()
    {
        var view = TestCatalogs.RevenueByCountry;
        var early = ViewQueryEngineTests.Numbered(
            (0, Orders.Create(-5, "US", 1.00m)), (0, Orders.Create(0, "US", 2.00m, "u2")), (0, Orders.Create(30, "DE", 4.00m)),
            (1, Orders.Create(59, "US", 8.00m, "u3")), (1, Orders.Create(100, "FR", 16.00m)));
        _speed.FlushAll(view, early, _ => [1]);
        _batch.Publish(view, "run-1", new Dictionary<int, long> { [0] = 1, [1] = 1 }, early);
        var time = new FakeTimeProvider();
        var sharing = new QueryResultSharing { Refresh = TimeSpan.FromMilliseconds(250), MaxAge = TimeSpan.FromSeconds(1), Rebase = TimeSpan.FromHours(1) };
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, sharing, time);
        var query = Queries.Parse(TestCatalogs.Default, view.Name, TwoHours + "&window=15m");

        var first = await engine.ExecuteAsync(query, CancellationToken.None);
        WindowOracle.Equal(Oracle(view, early, 0, 120, 60_000, 15 * 60_000, [0]), first.Rows);

        // Late: minute -10 lands in the first windows only through the read extension; minute 31 next to DE's.
        var late = new[] { new OffsetEvent(0, 3, Orders.Create(-10, "JP", 32.00m, "u4")), new OffsetEvent(0, 4, Orders.Create(31, "DE", 64.00m, "u5")) };
        _speed.Flush(view, 0, 3, 4, late);
        time.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await engine.ExecuteAsync(query, CancellationToken.None);

        Assert.Equal(2, _speed.Reads.Count);
        Assert.Equal(3, _speed.Reads[1][0]);
        WindowOracle.Equal(Oracle(view, [.. early, .. late], 0, 120, 60_000, 15 * 60_000, [0]), refreshed.Rows);
        Assert.Contains(refreshed.Rows, r => r.Dimensions[0].AsString() == "JP" && r.BucketStartMilliseconds == Orders.At(0));
        WindowOracle.Equal(Oracle(view, early, 0, 120, 60_000, 15 * 60_000, [0]), first.Rows);
    }

    [Fact]
    public async Task Windowed_and_plain_answers_of_the_same_range_are_not_shared_and_a_window_of_one_bucket_is_the_plain_answer()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "US", 2.00m)), (0, Orders.Create(-1, "US", 4.00m)));
        _speed.FlushAll(view, events, _ => []);
        var sharing = new QueryResultSharing { Refresh = TimeSpan.FromSeconds(10), MaxAge = TimeSpan.FromSeconds(10), Rebase = TimeSpan.FromHours(1) };
        var engine = new ViewQueryEngine(_batch, _speed, NullLogger<ViewQueryEngine>.Instance, sharing, new FakeTimeProvider());

        var plain = await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, TwoHours), CancellationToken.None);
        var one = await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, TwoHours + "&window=1m"), CancellationToken.None);
        var two = await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, TwoHours + "&window=2m"), CancellationToken.None);

        RowAssert.Equal(plain.Rows, one.Rows);
        Assert.Equal([5.00m, 3.00m, 2.00m], two.Rows.Select(r => r.Values[1].AsDecimal()));
        Assert.Equal(3, _speed.Reads.Count);
    }

    [Fact]
    public async Task The_limit_keeps_the_first_windowed_rows_in_bucket_then_dimension_order()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m)), (0, Orders.Create(-1, "FR", 4.00m)));
        _speed.FlushAll(view, events, _ => []);

        var result = await Engine().ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, TwoHours + "&window=2m&limit=3"), CancellationToken.None);

        Assert.Equal(
            [(Orders.At(0), "FR"), (Orders.At(0), "US"), (Orders.At(1), "DE")],
            result.Rows.Select(r => (r.BucketStartMilliseconds, r.Dimensions[0].AsString())));
    }

    private static IReadOnlyList<WindowOracle.Row> Oracle(
        ViewDefinition view, IEnumerable<OffsetEvent> events, int fromMinute, int toMinute, long widthMs, long windowMs, IReadOnlyList<int> groupBy) =>
        WindowOracle.Rows(
            view,
            events.Select(e => e.Record),
            Where(view),
            Orders.At(fromMinute),
            Orders.At(toMinute),
            widthMs,
            windowMs,
            groupBy);

    /// <summary>The test catalog's view filters, written out: only revenue_by_country has one (status = 'paid').</summary>
    private static Func<EventRecord, bool> Where(ViewDefinition view) => view.Name switch
    {
        "revenue_by_country" => e => e.GetString(TestCatalogs.Orders.GetField("status").Ordinal) == "paid",
        "orders_by_status" or "order_amounts" => _ => true,
        _ => throw new ArgumentOutOfRangeException(nameof(view), view.Name, "no filter written for this view"),
    };

    private ViewQueryEngine Engine() => new(_batch, _speed, NullLogger<ViewQueryEngine>.Instance);
}
