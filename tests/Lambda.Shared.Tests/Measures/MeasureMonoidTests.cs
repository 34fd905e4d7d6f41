using FsCheck;
using FsCheck.Fluent;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using static Lambda.Shared.Tests.Measures.MeasureTestData;

namespace Lambda.Shared.Tests.Measures;

public sealed class MeasureMonoidTests
{
    public static TheoryData<MeasureKind, string> AllCombinations()
    {
        var data = new TheoryData<MeasureKind, string>();
        foreach (var (kind, type) in Combinations())
        {
            data.Add(kind, type?.ToString() ?? "none");
        }

        return data;
    }

    private static FieldType? TypeOf(string text) => text == "none" ? null : FieldType.Parse(text);

    private static void AssertSame(MeasureState expected, MeasureState actual, string law)
    {
        if (!expected.ContentEquals(actual))
        {
            throw new InvalidOperationException(
                $"{law}: {expected} ({Convert.ToHexString(expected.ToBytes())}) != {actual} ({Convert.ToHexString(actual.ToBytes())})");
        }
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void Monoid_laws_hold_bit_for_bit(MeasureKind kind, string typeText)
    {
        var type = TypeOf(typeText);
        var values = Gen.ArrayOf(Values(type ?? FieldType.Long));
        var triples = from a in values from b in values from c in values select (a, b, c);

        Check.One(Config(60), Prop.ForAll(Arb.From(triples), t =>
        {
            var (a, b, c) = t;
            var sa = StateOf(kind, type, a);
            var sb = StateOf(kind, type, b);
            var sc = StateOf(kind, type, c);
            var zero = MeasureState.Create(kind, type);

            Assert.True(zero.IsEmpty);
            AssertSame(sa, Merged(zero, sa), "left identity");
            AssertSame(sa, Merged(sa, zero), "right identity");
            AssertSame(Merged(Merged(sa, sb), sc), Merged(sa, Merged(sb, sc)), "associativity");
            AssertSame(Merged(sa, sb), Merged(sb, sa), "commutativity");
            AssertSame(StateOf(kind, type, a.Concat(b)), Merged(sa, sb), "add then merge = add all");
            AssertSame(StateOf(kind, type, a.Reverse()), sa, "insertion order");
            return true;
        }));
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void Serialisation_round_trips_and_reading_validates(MeasureKind kind, string typeText)
    {
        var type = TypeOf(typeText);

        Check.One(Config(40), Prop.ForAll(Arb.From(Gen.ArrayOf(Values(type ?? FieldType.Long))), values =>
        {
            var state = StateOf(kind, type, values);
            var bytes = state.ToBytes();
            var read = MeasureState.Read(bytes, kind, type);

            Assert.Equal(MeasureState.FormatVersion, bytes[0]);
            Assert.Equal(bytes.Length, state.GetSerializedLength());
            AssertSame(state, read, "round trip");
            Assert.Equal(state.GetValue(), read.GetValue());
            AssertSame(state, state.Clone(), "clone");
            Assert.Throws<FormatException>(() => MeasureState.Read(bytes.AsSpan(0, bytes.Length - 1), kind, type));
            Assert.Throws<FormatException>(() => MeasureState.Read([.. bytes, 0], kind, type));
            return true;
        }));
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void Final_values_match_a_direct_computation(MeasureKind kind, string typeText)
    {
        var type = TypeOf(typeText);

        Check.One(Config(40), Prop.ForAll(Arb.From(Gen.ArrayOf(Values(type ?? FieldType.Long))), values =>
        {
            var actual = StateOf(kind, type, values).GetValue();
            if (kind == MeasureKind.Quantiles)
            {
                AssertQuantiles(type!.Value, values, actual);
                return true;
            }

            var expected = Expected(kind, type, values);
            if (kind == MeasureKind.Distinct)
            {
                // Values can share a register even in a near-empty sketch. With at most ~100 values the number
                // of such collisions is about Poisson(n²/2m ≤ 0.3); the estimator corrects for the expected
                // number, so it is off by more than 3 with negligible probability.
                var tolerance = Math.Max(3, expected.AsLong() / 50);
                Assert.InRange(actual.AsLong(), expected.AsLong() - tolerance, expected.AsLong() + tolerance);
            }
            else
            {
                Assert.Equal(expected, actual);
            }

            Assert.True(actual.IsNull || actual.Kind == MeasureState.ResultKind(kind, type));
            return true;
        }));
    }

    /// <summary>p50/p90/p95/p99 within 1 % of the exact lower quantiles (value of rank floor(q·(n−1))).</summary>
    private static void AssertQuantiles(FieldType type, FieldValue[] values, MeasureValue actual)
    {
        if (values.Length == 0)
        {
            Assert.True(actual.IsNull);
            return;
        }

        var sorted = values.Select(v => v.Type.Kind switch
        {
            FieldKind.Long => (double)v.AsLong(),
            FieldKind.Double => v.AsDouble(),
            _ => (double)v.AsDecimal(),
        }).Order().ToArray();
        double[] quantiles = [0.5, 0.9, 0.95, 0.99];
        var estimates = actual.AsQuantiles();
        Assert.Equal(quantiles, estimates.Select(e => e.Quantile));
        for (var i = 0; i < quantiles.Length; i++)
        {
            var exact = sorted[(int)Math.Floor(quantiles[i] * (sorted.Length - 1))];
            Assert.True(
                Math.Abs(estimates[i].Value - exact) <= 0.01 * (1 + 1e-9) * Math.Abs(exact),
                $"{type} q={quantiles[i]}: estimate {estimates[i].Value:R}, exact {exact:R}");
        }
    }

    private static Int128 SumExact(FieldValue[] values) => values.Aggregate(Int128.Zero, (sum, v) => sum + v.RawBits);

    private static MeasureValue Expected(MeasureKind kind, FieldType? type, FieldValue[] values)
    {
        if (kind == MeasureKind.Count)
        {
            return MeasureValue.FromLong(values.Length);
        }

        var t = type!.Value;
        if (kind == MeasureKind.Distinct)
        {
            return MeasureValue.FromLong(values.Distinct().Count());
        }

        if (values.Length == 0)
        {
            return kind == MeasureKind.Sum
                ? t.Kind switch
                {
                    FieldKind.Long => MeasureValue.FromLong(0),
                    FieldKind.Double => MeasureValue.FromDouble(0),
                    _ => MeasureValue.FromDecimal(DecimalScaling.FromUnscaled(0, t.Scale)),
                }
                : MeasureValue.Null;
        }

        MeasureValue Of(FieldValue v) => t.Kind switch
        {
            FieldKind.Long => MeasureValue.FromLong(v.AsLong()),
            FieldKind.Double => MeasureValue.FromDouble(v.AsDouble()),
            FieldKind.Decimal => MeasureValue.FromDecimal(v.AsDecimal()),
            _ => MeasureValue.FromTimestamp(v.AsTimestampMilliseconds()),
        };

        var ordered = values.Order().ToArray();
        return kind switch
        {
            MeasureKind.Min => Of(ordered[0]),
            MeasureKind.Max => Of(ordered[^1]),
            MeasureKind.Sum => t.Kind switch
            {
                FieldKind.Long => MeasureValue.FromLong(values.Sum(v => v.AsLong())),
                FieldKind.Double => MeasureValue.FromDouble(values.Sum(v => v.AsDouble())),
                _ => MeasureValue.FromDecimal(DecimalScaling.FromUnscaled(SumExact(values), t.Scale)),
            },
            _ => t.Kind switch
            {
                FieldKind.Long => MeasureValue.FromDouble((double)SumExact(values) / values.Length),
                FieldKind.Double => MeasureValue.FromDouble(values.Sum(v => v.AsDouble()) / values.Length),
                _ => MeasureValue.FromDecimal(decimal.Round(
                    DecimalScaling.FromUnscaled(SumExact(values), t.Scale) / values.Length,
                    t.Scale + ExactAvgState.ExtraScale,
                    MidpointRounding.ToEven)),
            },
        };
    }
}
