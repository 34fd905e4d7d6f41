using System.Globalization;
using System.Text.Json;

namespace Lambda.Shared.Measures;

/// <summary>
/// The final value of a measure, as the API returns it: a long, double, decimal, UTC timestamp or null.
/// Decimal sums, minima and maxima carry exactly the field's scale (<c>345.60</c> for decimal(18,2)).
/// </summary>
public readonly struct MeasureValue : IEquatable<MeasureValue>
{
    private readonly long _bits;
    private readonly decimal _decimal;
    private readonly QuantileValue[]? _quantiles;

    private MeasureValue(MeasureValueKind kind, long bits, decimal dec, QuantileValue[]? quantiles = null)
    {
        Kind = kind;
        _bits = bits;
        _decimal = dec;
        _quantiles = quantiles;
    }

    /// <summary>The type of the value.</summary>
    public MeasureValueKind Kind { get; }

    /// <summary>True when there is no value (empty min/max/avg).</summary>
    public bool IsNull => Kind == MeasureValueKind.Null;

    /// <summary>The null value.</summary>
    public static MeasureValue Null => default;

    /// <summary>A long value.</summary>
    public static MeasureValue FromLong(long value) => new(MeasureValueKind.Long, value, 0m);

    /// <summary>A double value.</summary>
    public static MeasureValue FromDouble(double value) => new(MeasureValueKind.Double, BitConverter.DoubleToInt64Bits(value), 0m);

    /// <summary>A decimal value (its scale is kept as given).</summary>
    public static MeasureValue FromDecimal(decimal value) => new(MeasureValueKind.Decimal, 0, value);

    /// <summary>A timestamp value from UTC epoch milliseconds.</summary>
    public static MeasureValue FromTimestamp(long epochMilliseconds) => new(MeasureValueKind.Timestamp, epochMilliseconds, 0m);

    /// <summary>Estimated quantiles (at least one), in the order given.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public static MeasureValue FromQuantiles(IEnumerable<QuantileValue> quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        var array = quantiles.ToArray();
        return array.Length == 0
            ? throw new ArgumentException("a quantiles value holds at least one quantile", nameof(quantiles))
            : new MeasureValue(MeasureValueKind.Quantiles, 0, 0m, array);
    }

    /// <summary>The estimated quantiles.</summary>
    /// <exception cref="InvalidOperationException">The value is not a quantiles value.</exception>
    public IReadOnlyList<QuantileValue> AsQuantiles() => Kind == MeasureValueKind.Quantiles ? _quantiles! : throw WrongKind(MeasureValueKind.Quantiles);

    /// <summary>The long value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a long.</exception>
    public long AsLong() => Kind == MeasureValueKind.Long ? _bits : throw WrongKind(MeasureValueKind.Long);

    /// <summary>The double value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a double.</exception>
    public double AsDouble() => Kind == MeasureValueKind.Double ? BitConverter.Int64BitsToDouble(_bits) : throw WrongKind(MeasureValueKind.Double);

    /// <summary>The decimal value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a decimal.</exception>
    public decimal AsDecimal() => Kind == MeasureValueKind.Decimal ? _decimal : throw WrongKind(MeasureValueKind.Decimal);

    /// <summary>The timestamp value (UTC).</summary>
    /// <exception cref="InvalidOperationException">The value is not a timestamp.</exception>
    public DateTimeOffset AsTimestamp() =>
        Kind == MeasureValueKind.Timestamp ? DateTimeOffset.FromUnixTimeMilliseconds(_bits) : throw WrongKind(MeasureValueKind.Timestamp);

    /// <summary>The value as a number for tolerant comparisons: long, double and decimal converted to double.</summary>
    /// <exception cref="InvalidOperationException">The value is null or a timestamp.</exception>
    public double ToDouble() => Kind switch
    {
        MeasureValueKind.Long => _bits,
        MeasureValueKind.Double => BitConverter.Int64BitsToDouble(_bits),
        MeasureValueKind.Decimal => (double)_decimal,
        _ => throw new InvalidOperationException($"a {Kind} measure value is not a number"),
    };

    /// <summary>The boxed value: <see cref="long"/>, <see cref="double"/>, <see cref="decimal"/>, <see cref="DateTimeOffset"/>, a list of <see cref="QuantileValue"/> or null.</summary>
    public object? ToObject() => Kind switch
    {
        MeasureValueKind.Quantiles => _quantiles,
        MeasureValueKind.Long => _bits,
        MeasureValueKind.Double => BitConverter.Int64BitsToDouble(_bits),
        MeasureValueKind.Decimal => _decimal,
        MeasureValueKind.Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(_bits),
        _ => null,
    };

    /// <summary>
    /// Writes the value as JSON: numbers for long/double/decimal (decimals keep their scale), an ISO-8601
    /// UTC string with milliseconds for timestamps, <c>null</c> for null.
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (Kind)
        {
            case MeasureValueKind.Long:
                writer.WriteNumberValue(_bits);
                break;
            case MeasureValueKind.Double:
                writer.WriteNumberValue(BitConverter.Int64BitsToDouble(_bits));
                break;
            case MeasureValueKind.Decimal:
                writer.WriteNumberValue(_decimal);
                break;
            case MeasureValueKind.Timestamp:
                writer.WriteStringValue(Time.TimeBucket.ToIso(_bits));
                break;
            case MeasureValueKind.Quantiles:
                writer.WriteStartObject();
                foreach (var q in _quantiles!)
                {
                    writer.WriteNumber(q.Label, q.Value);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <inheritdoc/>
    public bool Equals(MeasureValue other) =>
        Kind == other.Kind && _bits == other._bits && _decimal == other._decimal && _decimal.Scale == other._decimal.Scale
        && (Kind != MeasureValueKind.Quantiles || _quantiles!.AsSpan().SequenceEqual(other._quantiles));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MeasureValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, _bits, _decimal);

    /// <summary>Invariant text: <c>12</c>, <c>1.5</c>, <c>345.60</c>, <c>2026-11-25T10:00:00.000Z</c> or <c>null</c>.</summary>
    public override string ToString() => Kind switch
    {
        MeasureValueKind.Long => _bits.ToString(CultureInfo.InvariantCulture),
        MeasureValueKind.Double => BitConverter.Int64BitsToDouble(_bits).ToString("R", CultureInfo.InvariantCulture),
        MeasureValueKind.Decimal => _decimal.ToString(CultureInfo.InvariantCulture),
        MeasureValueKind.Timestamp => Time.TimeBucket.ToIso(_bits),
        MeasureValueKind.Quantiles => "{" + string.Join(", ", _quantiles!.Select(q => q.ToString())) + "}",
        _ => "null",
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(MeasureValue left, MeasureValue right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(MeasureValue left, MeasureValue right) => !left.Equals(right);

    private InvalidOperationException WrongKind(MeasureValueKind expected) =>
        new($"the measure value is {Kind}, not {expected}");
}
