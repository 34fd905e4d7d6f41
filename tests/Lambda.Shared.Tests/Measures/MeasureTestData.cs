using FsCheck;
using FsCheck.Fluent;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Measures;

/// <summary>Generators of field values and helpers that fold values into measure states.</summary>
internal static class MeasureTestData
{
    public static readonly FieldType Money = FieldType.Decimal(18, 2);

    /// <summary>Every supported (kind, field type) combination.</summary>
    public static IEnumerable<(MeasureKind Kind, FieldType? Type)> Combinations()
    {
        FieldType[] types = [FieldType.String, FieldType.Long, FieldType.Double, Money, FieldType.Decimal(5, 0), FieldType.Bool, FieldType.Timestamp];
        foreach (var kind in Enum.GetValues<MeasureKind>())
        {
            if (kind == MeasureKind.Count)
            {
                yield return (kind, null);
                continue;
            }

            foreach (var type in types)
            {
                if (MeasureState.Supports(kind, type, out _))
                {
                    yield return (kind, type);
                }
            }
        }
    }

    /// <summary>
    /// Values of <paramref name="type"/>. Doubles are integers (and ±0) so that double sums are exact and
    /// the monoid laws can be checked bit for bit; the laws of real-valued double sums hold only up to rounding.
    /// </summary>
    public static Gen<FieldValue> Values(FieldType type)
    {
        var small = Gen.Choose(-1000, 1000);
        var wide = Gen.Choose(int.MinValue, int.MaxValue);
        return type.Kind switch
        {
            FieldKind.String => Gen.Choose(0, 300).Select(i => FieldValue.FromString(i % 7 == 0 ? $"é{i}" : $"user-{i}")),
            FieldKind.Long => Gen.OneOf(
                small.Select(i => FieldValue.FromLong(i)),
                Gen.Zip(wide, wide).Select(t => FieldValue.FromLong(((long)t.Item1 << 20) ^ t.Item2)),
                Gen.Elements(long.MinValue / 1024, long.MaxValue / 1024, 0L).Select(FieldValue.FromLong)),
            FieldKind.Double => Gen.OneOf(
                small.Select(i => FieldValue.FromDouble(i)),
                Gen.Elements(-0.0, 0.0, 1e12, -1e12).Select(FieldValue.FromDouble)),
            FieldKind.Decimal => Gen.Zip(wide, small).Select(t =>
            {
                var limit = DecimalScaling.Pow10(type.Precision) - 1;
                var raw = ((long)t.Item1 * 1_000_003L) + t.Item2;
                return FieldValue.FromUnscaledDecimal(Math.Clamp(raw, -limit, limit) / (t.Item2 % 3 == 0 ? 1 : 1_000), type);
            }),
            FieldKind.Bool => Gen.Elements(true, false).Select(FieldValue.FromBool),
            FieldKind.Timestamp => Gen.Choose(0, 100_000_000).Select(i => FieldValue.FromTimestamp(1_700_000_000_000L + ((long)i * 37))),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    /// <summary>A state of <paramref name="kind"/> with <paramref name="values"/> added through the same path the aggregator uses.</summary>
    public static MeasureState StateOf(MeasureKind kind, FieldType? type, IEnumerable<FieldValue> values)
    {
        var state = MeasureState.Create(kind, type);
        var record = new EventRecord(TypeCatalogs.SingleField(type ?? FieldType.Long));
        foreach (var value in values)
        {
            record.Reset();
            record.SetTimestamp(0);
            record.SetValue(0, type is null ? FieldValue.FromLong(0) : value);
            state.Accumulate(record, 0);
        }

        return state;
    }

    public static MeasureState Merged(params MeasureState[] states)
    {
        var result = MeasureState.Create(states[0].Kind, states[0].FieldType);
        foreach (var s in states)
        {
            result.Merge(s);
        }

        return result;
    }

    public static Config Config(int maxTest) => FsCheck.Config.QuickThrowOnFailure.WithMaxTest(maxTest);
}
