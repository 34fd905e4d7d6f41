using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using static Lambda.Shared.Tests.Measures.MeasureTestData;

namespace Lambda.Shared.Tests.Measures;

public sealed class MeasureStateTests
{
    [Fact]
    public void Empty_min_max_and_avg_have_no_value_and_survive_serialisation()
    {
        Assert.Equal([1, 4, 0], MeasureState.Create(MeasureKind.Min, FieldType.Long).ToBytes());

        foreach (var kind in new[] { MeasureKind.Min, MeasureKind.Max, MeasureKind.Avg })
        {
            foreach (var type in new[] { FieldType.Long, FieldType.Double, Money })
            {
                var empty = MeasureState.Create(kind, type);
                Assert.True(empty.GetValue().IsNull);
                Assert.True(MeasureState.Read(empty.ToBytes(), kind, type).GetValue().IsNull);
            }
        }
    }

    [Fact]
    public void Decimal_sums_are_exact_and_keep_the_field_scale()
    {
        var values = new[] { 0.10m, 0.20m, 345.30m }.Select(v => FieldValue.FromDecimal(v, Money));

        var sum = StateOf(MeasureKind.Sum, Money, values).GetValue();

        Assert.Equal(MeasureValueKind.Decimal, sum.Kind);
        Assert.Equal("345.60", sum.AsDecimal().ToString(CultureInfo.InvariantCulture));
        Assert.Equal("345.60", sum.ToString());
        Assert.Equal("0.00", MeasureState.Create(MeasureKind.Sum, Money).GetValue().ToString());
    }

    [Fact]
    public void Exact_sums_go_beyond_64_bits_internally_and_fail_loudly_when_the_value_does_not_fit()
    {
        var big = Enumerable.Repeat(FieldValue.FromLong(long.MaxValue), 4).ToArray();
        var longSum = (ExactSumState)StateOf(MeasureKind.Sum, FieldType.Long, big);

        Assert.Equal((Int128)long.MaxValue * 4, longSum.UnscaledSum);
        Assert.Throws<OverflowException>(() => longSum.GetValue());
        Assert.Equal(longSum.UnscaledSum, ((ExactSumState)MeasureState.Read(longSum.ToBytes(), MeasureKind.Sum, FieldType.Long)).UnscaledSum);

        var decimalSum = StateOf(MeasureKind.Sum, Money, Enumerable.Repeat(FieldValue.FromUnscaledDecimal(999_999_999_999_999_999, Money), 1000));
        Assert.Equal(9_999_999_999_999_999.99m * 1000, decimalSum.GetValue().AsDecimal());
    }

    [Fact]
    public void Averages_of_decimals_keep_extra_digits_and_averages_of_longs_are_doubles()
    {
        var money = StateOf(MeasureKind.Avg, Money, new[] { 1.00m, 2.00m, 2.00m }.Select(v => FieldValue.FromDecimal(v, Money)));
        var longs = StateOf(MeasureKind.Avg, FieldType.Long, [FieldValue.FromLong(1), FieldValue.FromLong(2)]);

        Assert.Equal("1.666667", money.GetValue().ToString());
        Assert.Equal(1.5, longs.GetValue().AsDouble());
    }

    [Fact]
    public void Min_and_max_of_timestamps_are_timestamps()
    {
        var times = new[] { 1_764_000_000_000L, 1_763_000_000_000L }.Select(FieldValue.FromTimestamp).ToArray();

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_763_000_000_000L), StateOf(MeasureKind.Min, FieldType.Timestamp, times).GetValue().AsTimestamp());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000L), StateOf(MeasureKind.Max, FieldType.Timestamp, times).GetValue().AsTimestamp());
    }

    [Fact]
    public void Negative_zero_does_not_make_double_min_max_order_dependent()
    {
        var a = StateOf(MeasureKind.Max, FieldType.Double, [FieldValue.FromDouble(-0.0), FieldValue.FromDouble(0.0)]);
        var b = StateOf(MeasureKind.Max, FieldType.Double, [FieldValue.FromDouble(0.0), FieldValue.FromDouble(-0.0)]);
        var direct = new DoubleExtremumState(MeasureKind.Min);
        direct.Add(-0.0);

        Assert.True(a.ContentEquals(b));
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(direct.Value));
    }

    [Fact]
    public void Merging_states_of_different_measures_is_refused()
    {
        var sum = MeasureState.Create(MeasureKind.Sum, Money);

        Assert.Throws<ArgumentException>(() => sum.Merge(MeasureState.Create(MeasureKind.Sum, FieldType.Decimal(18, 3))));
        Assert.Throws<ArgumentException>(() => sum.Merge(MeasureState.Create(MeasureKind.Avg, Money)));
        Assert.Throws<ArgumentException>(() => MeasureState.Create(MeasureKind.Min, Money).Merge(MeasureState.Create(MeasureKind.Max, Money)));
    }

    [Fact]
    public void Reading_rejects_foreign_versions_layouts_and_garbage()
    {
        var count = new CountState();
        count.Add(5);
        var bytes = count.ToBytes();

        var foreign = Assert.Throws<FormatException>(() => MeasureState.Read([2, .. bytes[1..]], MeasureKind.Count, null));
        Assert.Contains("unsupported format version 2", foreign.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => MeasureState.Read(bytes, MeasureKind.Sum, FieldType.Long));
        Assert.Throws<FormatException>(() => MeasureState.Read([], MeasureKind.Count, null));
        Assert.Throws<FormatException>(() => MeasureState.Read([1, 1, 0x80, 0x80], MeasureKind.Count, null));
        Assert.Throws<FormatException>(() => MeasureState.Read([1, 4, 7], MeasureKind.Min, FieldType.Long));
        Assert.Throws<FormatException>(() => MeasureState.Read([1, 10, 13, 0, 0], MeasureKind.Distinct, FieldType.String));
        Assert.Throws<FormatException>(() => MeasureState.Read([1, 10, 14, 0, 1, 0, 0], MeasureKind.Distinct, FieldType.String));
        Assert.Throws<FormatException>(() => MeasureState.Read([1, 10, 14, 0, 2, 5, 1, 0, 1], MeasureKind.Distinct, FieldType.String));
    }

    [Fact]
    public void Unsupported_combinations_are_refused_with_a_reason()
    {
        Assert.False(MeasureState.Supports(MeasureKind.Sum, FieldType.String, out var error));
        Assert.Equal("sum needs a long, double or decimal field, not string", error);
        Assert.Throws<ArgumentException>(() => MeasureState.Create(MeasureKind.Avg, FieldType.Timestamp));
        Assert.Throws<ArgumentException>(() => MeasureState.Create(MeasureKind.Count, FieldType.Long));
    }

    [Fact]
    public void States_are_compact()
    {
        var count = StateOf(MeasureKind.Count, null, Enumerable.Repeat(FieldValue.FromLong(0), 100));
        var sum = StateOf(MeasureKind.Sum, Money, [FieldValue.FromDecimal(12.34m, Money)]);

        Assert.Equal([1, 1, 100], count.ToBytes());
        Assert.Equal(4, sum.ToBytes().Length);
    }
}
