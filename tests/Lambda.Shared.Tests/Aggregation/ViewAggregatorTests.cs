using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;
using Lambda.Testing;
using static Lambda.Shared.Tests.Aggregation.TestEvents;

namespace Lambda.Shared.Tests.Aggregation;

public sealed class ViewAggregatorTests
{
    private static readonly ViewDefinition Revenue = TestCatalogs.RevenueByCountry;
    private static readonly ViewDefinition Everything = TypeCatalogs.AllTypes.GetView("everything");
    private static readonly ViewDefinition ByLong = TypeCatalogs.AllTypes.GetView("by_long");

    private static void AssertSameContent(ViewAggregator expected, ViewAggregator actual)
    {
        var difference = ViewAggregator.FindDifference(expected, actual);
        Assert.True(difference is null, difference);
    }

    private static void MergeLaw(ViewDefinition view, Gen<string> events)
    {
        var cases =
            from all in Gen.ArrayOf(events)
            from split in Gen.Choose(0, all.Length)
            from shuffled in Gen.Shuffle(all)
            select (all, split, shuffled);

        Check.One(Measures.MeasureTestData.Config(40), Prop.ForAll(Arb.From(cases), c =>
        {
            var whole = Aggregate(view, c.all);
            var left = Aggregate(view, c.shuffled.Take(c.split));
            var right = Aggregate(view, c.shuffled.Skip(c.split));

            var leftThenRight = new ViewAggregator(view);
            leftThenRight.Merge(left);
            leftThenRight.Merge(right);
            right.Merge(left);

            var d1 = ViewAggregator.FindDifference(whole, leftThenRight);
            var d2 = ViewAggregator.FindDifference(whole, right);
            if (d1 is not null || d2 is not null)
            {
                throw new InvalidOperationException(d1 ?? d2);
            }

            return true;
        }));
    }

    [Fact]
    public void Aggregate_of_a_concatenation_is_the_merge_of_the_aggregates_for_revenue_by_country() => MergeLaw(Revenue, Orders);

    [Fact]
    public void Aggregate_of_a_concatenation_is_the_merge_of_the_aggregates_for_every_measure_kind() => MergeLaw(Everything, Things);

    [Fact]
    public void Many_parts_merged_in_any_tree_give_the_same_bytes()
    {
        var events = RandomOrders(20_000, 1);
        var whole = Aggregate(Revenue, events);
        var random = new Random(2);
        var parts = events.OrderBy(_ => random.Next()).Chunk(2_300).Select(chunk => Aggregate(Revenue, chunk)).ToArray();

        var sequential = new ViewAggregator(Revenue);
        foreach (var part in parts)
        {
            sequential.Merge(part);
        }

        var pairwise = parts.Reverse().Aggregate((a, b) =>
        {
            b.Merge(a);
            return b;
        });

        AssertSameContent(whole, sequential);
        AssertSameContent(whole, pairwise);
        Assert.True(whole.ContentEquals(sequential));
    }

    [Fact]
    public void Revenue_by_country_matches_a_direct_computation()
    {
        var events = RandomOrders(10_000, 3);
        var parsed = events.Select(e => System.Text.Json.JsonDocument.Parse(e).RootElement).Select(e => new
        {
            User = e.GetProperty("user_id").GetString()!,
            Country = e.GetProperty("country").GetString()!,
            Amount = e.GetProperty("amount").GetDecimal(),
            Status = e.GetProperty("status").GetString()!,
            Ms = e.GetProperty("ts").ValueKind == System.Text.Json.JsonValueKind.Number
                ? e.GetProperty("ts").GetInt64()
                : e.GetProperty("ts").GetDateTimeOffset().ToUnixTimeMilliseconds(),
        }).ToArray();
        var expected = parsed.Where(o => o.Status == "paid")
            .GroupBy(o => (Bucket: o.Ms - (o.Ms % 60_000), o.Country))
            .ToDictionary(g => g.Key, g => (Count: g.LongCount(), Sum: g.Sum(o => o.Amount), Max: g.Max(o => o.Amount), Buyers: g.Select(o => o.User).Distinct().Count()));

        var aggregator = Aggregate(Revenue, events);

        Assert.Equal(expected.Count, aggregator.GroupCount);
        Assert.Equal(events.Length, aggregator.EventsSeen);
        Assert.Equal(parsed.Count(o => o.Status == "paid"), aggregator.EventsMatched);
        foreach (var group in aggregator.GetGroups())
        {
            var e = expected[(group.BucketStartMilliseconds, group.GetDimension("country").AsString())];
            Assert.Equal(e.Count, group.GetValue("orders").AsLong());
            Assert.Equal(e.Sum, group.GetValue("revenue").AsDecimal());
            Assert.Equal(2, group.GetValue("revenue").AsDecimal().Scale);
            Assert.Equal(e.Max, group.GetValue("biggest").AsDecimal());
            Assert.InRange(group.GetValue("buyers").AsLong(), e.Buyers - 1, e.Buyers + 1);
        }
    }

    [Fact]
    public void Drain_hands_the_groups_over_and_starts_empty()
    {
        var events = RandomOrders(2_000, 4);
        var aggregator = Aggregate(Revenue, events.Take(1_000));
        var before = aggregator.GetSortedGroups().Select(g => g.ToString()).ToArray();

        var drained = aggregator.Drain();

        Assert.Equal(0, aggregator.GroupCount);
        Assert.Empty(aggregator.GetGroups());
        Assert.Equal(before, drained.Order(ViewGroup.KeyComparer).Select(g => g.ToString()));

        var parser = new EventParser(Revenue.Source);
        foreach (var e in events.Skip(1_000))
        {
            Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(e), out EventRecord record, out _));
            aggregator.Add(record);
        }

        // The drained states belong to the caller now: new events did not touch them.
        Assert.Equal(before, drained.Order(ViewGroup.KeyComparer).Select(g => g.ToString()));
        var recombined = new ViewAggregator(Revenue);
        foreach (var g in drained)
        {
            recombined.MergeGroup(g);
        }

        recombined.Merge(aggregator);
        AssertSameContent(Aggregate(Revenue, events), recombined);
        Assert.Equal(2_000, aggregator.EventsSeen);
    }

    [Fact]
    public void Groups_round_trip_through_serialised_states()
    {
        var original = Aggregate(Everything, Gen.Sample(Things, 500, 30).SelectMany(x => new[] { x }).Take(500));
        var restored = new ViewAggregator(Everything);

        foreach (var group in original.GetGroups())
        {
            restored.MergeGroup(group.BucketStartMilliseconds, group.Dimensions.ToArray(), group.SerializeStates());
        }

        AssertSameContent(original, restored);
        Assert.True(original.GroupCount > 10);
    }

    [Fact]
    public void Rolling_up_to_hours_equals_merging_minute_groups()
    {
        var events = RandomOrders(5_000, 5);
        var minutes = Aggregate(Revenue, events);
        var hoursDirect = Aggregate(Revenue, events, Granularity.Hour);
        var hoursMerged = new ViewAggregator(Revenue, Granularity.Hour);
        hoursMerged.Merge(minutes);

        AssertSameContent(hoursDirect, hoursMerged);
        Assert.All(hoursDirect.GetGroups(), g => Assert.True(TimeBucket.IsAligned(g.BucketStartMilliseconds, Granularity.Hour)));
        Assert.Equal(
            minutes.GetGroups().Sum(g => g.GetValue("orders").AsLong()),
            hoursDirect.GetGroups().Sum(g => g.GetValue("orders").AsLong()));
        Assert.Throws<ArgumentException>(() => minutes.Merge(hoursDirect));
        Assert.Throws<ArgumentException>(() => new ViewAggregator(TestCatalogs.Default.GetView("orders_by_status"), Granularity.Minute));
    }

    [Fact]
    public void Typed_dimensions_keep_their_types()
    {
        var aggregator = Aggregate(ByLong, [Thing(1, 3, 5, 1_500, true, 10), Thing(1, 3, 7, 1_500, false, 10), Thing(1, -3, 7, 1_500, false, 10)]);

        var group = Assert.Single(aggregator.GetGroups());
        Assert.Equal(3L, group.GetDimension("l").AsLong());
        Assert.Equal(1.500m, group.GetDimension("m").AsDecimal());
        Assert.Equal(Start - 10, group.GetDimension("t").AsTimestampMilliseconds());
        Assert.Equal(2L, group.GetValue("n").AsLong());
        Assert.Equal(12.0, group.GetValue("total").AsDouble());
        Assert.Equal(1, aggregator.EventsSeen - aggregator.EventsMatched);

        var everything = Aggregate(Everything, [Thing(1, 3, 5, 1_500, true, 10), Thing(1, 3, 5, 1_500, false, 10)]);
        Assert.Equal([false, true], everything.GetSortedGroups().Select(g => g.GetDimension("b").AsBool()));
    }

    [Fact]
    public void Adding_to_existing_groups_allocates_nothing()
    {
        var events = RandomOrders(200, 6).Select(Encoding.UTF8.GetBytes).ToArray();
        var parser = new EventParser(Revenue.Source);
        var record = parser.CreateRecord();
        var aggregator = new ViewAggregator(Revenue);
        foreach (var e in events)
        {
            parser.TryParse(e, record, out _);
            aggregator.Add(record);
        }

        var allocated = SteadyStateAllocation.MinimumBytesPerRound(() =>
        {
            foreach (var e in events)
            {
                parser.TryParse(e, record, out _);
                aggregator.Add(record);
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(events.Length * 6L, aggregator.EventsSeen);
    }

    [Fact]
    public void Misuse_is_refused_with_clear_errors()
    {
        var aggregator = new ViewAggregator(Revenue);
        var other = new EventRecord(TypeCatalogs.AllTypes.GetSource("things"));
        var incomplete = new EventRecord(Revenue.Source);

        Assert.Contains("'things'", Assert.Throws<ArgumentException>(() => aggregator.Add(other)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => aggregator.Add(incomplete));
        Assert.Throws<ArgumentException>(() => aggregator.Merge(new ViewAggregator(Everything)));
        Assert.Throws<ArgumentException>(() => aggregator.Merge(aggregator));
        Assert.Throws<ArgumentException>(() => aggregator.MergeGroup(0, [FieldValue.FromLong(1)], Revenue.Measures.Select(m => m.CreateState()).ToArray()));
        Assert.Throws<ArgumentException>(() => aggregator.MergeGroup(0, [FieldValue.FromString("US")], [new CountState()]));
        Assert.Throws<FormatException>(() => aggregator.MergeGroup(0, [FieldValue.FromString("US")], [[1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 1, 0]]));
    }

    [Fact]
    public void Clear_drops_everything()
    {
        var aggregator = Aggregate(Revenue, RandomOrders(100, 7));

        aggregator.Clear();

        Assert.Equal(0, aggregator.GroupCount);
        AssertSameContent(new ViewAggregator(Revenue), aggregator);
    }
}
