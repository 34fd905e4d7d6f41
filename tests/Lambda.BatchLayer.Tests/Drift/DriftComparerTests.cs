using System.Text.Json;
using Lambda.BatchLayer.Drift;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.BatchLayer.Tests.Drift;

/// <summary>The drift comparison per measure kind: exact states by bytes, double sums within a tolerance, timestamps at whole seconds.</summary>
public sealed class DriftComparerTests
{
    private static readonly Catalog Catalog = CatalogLoader.Parse("""
        sources:
          items:
            topic: items
            time: ts
            fields: { country: string, user: string, qty: long, price: "decimal(18,2)", weight: double, seen: timestamp }
        views:
          every_kind:
            source: items
            granularity: minute
            dimensions: [country]
            measures:
              n: count
              qty_sum: sum(qty)
              revenue: sum(price)
              weight_sum: sum(weight)
              cheapest: min(price)
              heaviest: max(weight)
              last_seen: max(seen)
              avg_price: avg(price)
              avg_weight: avg(weight)
              users: distinct(user)
              price_q: quantiles(price)
          by_time:
            source: items
            granularity: minute
            dimensions: [seen]
            measures: { n: count }
        """);

    private static readonly ViewDefinition View = Catalog.GetView("every_kind");
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private sealed record Item(string Country, string User, long Qty, decimal Price, double Weight, long SeenMs, long TimeMs = 0);

    private static readonly Item[] Items =
    [
        new("US", "u1", 2, 10.50m, 0.1, 1_000),
        new("US", "u2", 3, 99.99m, 0.2, 2_000),
        new("DE", "u3", 1, 5.00m, 0.3, 3_000),
        new("DE", "u1", 7, 7.25m, 1e-3, 4_000, TimeMs: 60_000),
    ];

    private static IReadOnlyList<ViewGroup> Aggregate(ViewDefinition view, IEnumerable<Item> items)
    {
        var aggregator = new ViewAggregator(view);
        var source = view.Source;
        var record = new EventRecord(source);
        foreach (var item in items)
        {
            record.Reset();
            record.SetTimestamp(T0.ToUnixTimeMilliseconds() + item.TimeMs);
            record.SetString(source.GetField("country").Ordinal, item.Country);
            record.SetString(source.GetField("user").Ordinal, item.User);
            record.SetLong(source.GetField("qty").Ordinal, item.Qty);
            record.SetDecimal(source.GetField("price").Ordinal, item.Price);
            record.SetDouble(source.GetField("weight").Ordinal, item.Weight);
            record.SetTimestamp(source.GetField("seen").Ordinal, T0.ToUnixTimeMilliseconds() + item.SeenMs);
            aggregator.Add(record);
        }

        return aggregator.Drain();
    }

    [Fact]
    public void The_same_events_split_in_any_way_agree_on_every_measure()
    {
        var batch = Aggregate(View, Items);
        var speed = Aggregate(View, Items.Take(1)).Concat(Aggregate(View, Items.Skip(1).Reverse()));

        Assert.Empty(DriftComparer.Compare(View, speed, batch));
    }

    [Fact]
    public void A_missing_event_shows_in_each_measure_it_changes_with_both_values()
    {
        var batch = Aggregate(View, Items);
        var speed = Aggregate(View, Items.Where(i => i.User != "u2"));

        var differences = DriftComparer.Compare(View, speed, batch);

        Assert.All(differences, d => Assert.Equal(T0, d.Bucket));
        Assert.All(differences, d => Assert.Equal([new KeyValuePair<string, string?>("country", "US")], d.Group));
        var byMeasure = differences.ToDictionary(d => d.Measure);
        // u2 changed: the count, the sums, the max weight, the last seen time, the averages, the distinct users and the quantiles;
        // not the cheapest price (10.50 stays the minimum).
        Assert.Equal(
            ["n", "qty_sum", "revenue", "weight_sum", "heaviest", "last_seen", "avg_price", "avg_weight", "users", "price_q"],
            differences.Select(d => d.Measure));
        Assert.Equal(("1", "2"), (byMeasure["n"].SpeedValue, byMeasure["n"].BatchValue));
        Assert.Equal(("10.50", "110.49"), (byMeasure["revenue"].SpeedValue, byMeasure["revenue"].BatchValue));
        Assert.Equal(("1", "2"), (byMeasure["users"].SpeedValue, byMeasure["users"].BatchValue));
        Assert.Equal("\"2026-11-25T10:00:01.000Z\"", byMeasure["last_seen"].SpeedValue);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(byMeasure["price_q"].BatchValue).RootElement.ValueKind);
    }

    [Fact]
    public void A_group_on_one_side_only_is_compared_with_the_zero_state()
    {
        var batch = Aggregate(View, Items);
        var speed = Aggregate(View, Items.Where(i => i.Country != "DE" || i.TimeMs != 0));

        var differences = DriftComparer.Compare(View, speed, batch);

        var n = Assert.Single(differences, d => d.Measure == "n");
        Assert.Equal([new KeyValuePair<string, string?>("country", "DE")], n.Group);
        Assert.Equal(("0", "1"), (n.SpeedValue, n.BatchValue));
        Assert.Equal(("null", "5.00"), (differences.Single(d => d.Measure == "cheapest").SpeedValue, differences.Single(d => d.Measure == "cheapest").BatchValue));
        Assert.Equal(("0", "1"), (differences.Single(d => d.Measure == "users").SpeedValue, differences.Single(d => d.Measure == "users").BatchValue));
    }

    [Fact]
    public void Double_sums_agree_within_the_tolerance_and_differ_beyond_it()
    {
        var sum = View.GetMeasure("weight_sum");
        var a = sum.CreateState();
        var b = sum.CreateState();
        ((Lambda.Shared.Measures.DoubleSumState)a).Add(0.1);
        ((Lambda.Shared.Measures.DoubleSumState)a).Add(0.2);
        ((Lambda.Shared.Measures.DoubleSumState)b).Add(0.3);
        Assert.NotEqual(0.1 + 0.2, 0.3);
        Assert.True(DriftComparer.StatesAgree(a, b));

        ((Lambda.Shared.Measures.DoubleSumState)b).Add(1e-6);
        Assert.False(DriftComparer.StatesAgree(a, b));
    }

    [Fact]
    public void Distinct_sketches_are_compared_by_their_registers()
    {
        var users = View.GetMeasure("users");
        var a = (Lambda.Shared.Measures.DistinctState)users.CreateState();
        var b = (Lambda.Shared.Measures.DistinctState)users.CreateState();
        a.Add(FieldValue.FromString("x"));
        b.Add(FieldValue.FromString("y"));

        // One element each: the same estimate, different registers.
        Assert.Equal(a.GetValue(), b.GetValue());
        Assert.False(DriftComparer.StatesAgree(a, b));
    }

    [Fact]
    public void Timestamps_count_at_whole_seconds_as_the_speed_tables_store_them()
    {
        var last = View.GetMeasure("last_seen");
        var a = (Lambda.Shared.Measures.ExactExtremumState)last.CreateState();
        var b = (Lambda.Shared.Measures.ExactExtremumState)last.CreateState();
        a.Add(T0.ToUnixTimeMilliseconds() + 1_999);
        b.Add(T0.ToUnixTimeMilliseconds() + 1_000);
        Assert.True(DriftComparer.StatesAgree(a, b));
        b.Add(T0.ToUnixTimeMilliseconds() + 2_000);
        Assert.False(DriftComparer.StatesAgree(a, b));

        // A timestamp dimension: two batch groups within one second are one speed group.
        var byTime = Catalog.GetView("by_time");
        var batch = Aggregate(byTime, [Items[0] with { SeenMs = 5_100 }, Items[1] with { SeenMs = 5_900 }]);
        var speed = Aggregate(byTime, [Items[0] with { SeenMs = 5_000 }, Items[1] with { SeenMs = 5_000 }]);
        Assert.Equal(2, batch.Count);
        Assert.Empty(DriftComparer.Compare(byTime, speed, batch));
    }

    [Fact]
    public void Groups_of_another_definition_are_refused()
    {
        var other = Catalog.GetView("by_time");

        var error = Assert.Throws<ArgumentException>(() => DriftComparer.Compare(View, Aggregate(other, Items), []));

        Assert.Contains("by_time", error.Message, StringComparison.Ordinal);
    }
}
