using Lambda.ServingLayer.Querying.ClickHouse;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Tests.Querying;

public sealed class MeasureStatePartsTests
{
    private static readonly ViewDefinition View = TestCatalogs.Typed.GetView("averages");

    [Theory]
    [InlineData(new long[] { 1 })]
    [InlineData(new long[] { -5, 7, 1_000_000_000_000 })]
    [InlineData(new long[] { long.MaxValue, long.MaxValue, long.MaxValue })]
    [InlineData(new long[] { long.MinValue, -1 })]
    public void Averages_from_sum_and_count_equal_the_ones_the_aggregator_builds(long[] floors)
    {
        var group = Aggregate(floors);
        var (floor, price) = (View.GetMeasure("mean_floor"), View.GetMeasure("mean_price"));

        var floorState = MeasureStateParts.ExactAverage(floor, floors.Length, floors.Aggregate(Int128.Zero, (s, v) => s + v));
        var priceState = MeasureStateParts.ExactAverage(price, floors.Length, floors.Aggregate(Int128.Zero, (s, v) => s + Price(v)));

        Assert.True(group.States[floor.Index].ContentEquals(floorState), $"{group.States[floor.Index]} vs {floorState}");
        Assert.True(group.States[price.Index].ContentEquals(priceState), $"{group.States[price.Index]} vs {priceState}");
        Assert.Equal(group.GetValue(price.Index), priceState.GetValue());
    }

    [Fact]
    public void A_double_average_from_parts_equals_the_aggregators()
    {
        var measure = View.GetMeasure("mean_ratio");
        var group = Aggregate([1, 2, 4]);

        var fromParts = MeasureStateParts.DoubleAverage(measure, 3, 0.5 + 1.0 + 2.0);

        Assert.True(group.States[measure.Index].ContentEquals(fromParts));
    }

    [Fact]
    public void A_distinct_state_reads_from_the_whole_state_or_from_the_bare_sketch()
    {
        var measure = View.GetMeasure("sites");
        var state = Aggregate([1, 2, 3, 10]).States[measure.Index];
        var sketch = state.ToBytes().AsSpan(2).ToArray();

        Assert.Equal(3, state.GetValue().AsLong());
        Assert.True(state.ContentEquals(MeasureStateParts.Distinct(measure, state.ToBytes())));
        Assert.True(state.ContentEquals(MeasureStateParts.Distinct(measure, sketch)));
        Assert.Equal(HyperLogLog.Precision, sketch[0]);
        Assert.Throws<FormatException>(() => MeasureStateParts.Distinct(measure, [9, 9, 9]));
    }

    /// <summary>Thousandths of the price of a reading on <paramref name="floor"/>.</summary>
    private static long Price(long floor) => floor % 1_000_000;

    /// <summary>The one group (no dimensions) of readings on the given floors: ratio = floor / 2, site s(floor % 3).</summary>
    private static ViewGroup Aggregate(long[] floors)
    {
        var source = View.Source;
        var aggregator = new ViewAggregator(View);
        foreach (var floor in floors)
        {
            var record = new EventRecord(source);
            record.SetTimestamp(Orders.BaseTime);
            record.SetString(source.GetField("site").Ordinal, "s" + (floor % 3));
            record.SetLong(source.GetField("floor").Ordinal, floor);
            record.SetDouble(source.GetField("ratio").Ordinal, floor / 2.0);
            record.SetDecimalUnscaled(source.GetField("price").Ordinal, Price(floor));
            record.SetBool(source.GetField("ok").Ordinal, true);
            record.SetTimestamp(source.GetField("seen").Ordinal, 0);
            aggregator.Add(record);
        }

        return Assert.Single(aggregator.Drain());
    }
}
