using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;

namespace Lambda.Shared.Events;

/// <summary>
/// A typed field value (or dimension value): a string, long, double, decimal with the field's
/// precision/scale, bool or UTC timestamp, or the null of a type (<see cref="Null"/>: a derived dimension whose value is
/// null is its own group). Equality and ordering are by type and value (strings ordinal; null before every value).
/// <see cref="ToCanonicalString"/> is the stable text form used for hashing and display.
/// </summary>
public readonly struct FieldValue : IEquatable<FieldValue>, IComparable<FieldValue>
{
    private readonly string? _string;
    private readonly bool _isNull;

    private FieldValue(FieldType type, long bits, string? text, bool isNull = false)
    {
        Type = type;
        RawBits = bits;
        _string = text;
        _isNull = isNull;
    }

    /// <summary>True for the null of <see cref="Type"/>; the <c>As…</c> accessors then throw.</summary>
    public bool IsNull => _isNull;

    /// <summary>The null of <paramref name="type"/> (the group of events whose derived dimension value is null).</summary>
    public static FieldValue Null(FieldType type) => new(type, 0, null, true);

    /// <summary>The value's type.</summary>
    public FieldType Type { get; }

    /// <summary>
    /// The value as a 64-bit integer: a long itself, a decimal's unscaled value (value·10^scale), a
    /// double's IEEE bits, 1/0 for bools, epoch milliseconds for timestamps; 0 for strings.
    /// </summary>
    public long RawBits { get; }

    /// <summary>A string value.</summary>
    public static FieldValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new FieldValue(FieldType.String, 0, value);
    }

    /// <summary>A long value.</summary>
    public static FieldValue FromLong(long value) => new(FieldType.Long, value, null);

    /// <summary>A double value; <c>-0.0</c> is stored as <c>0.0</c>.</summary>
    /// <exception cref="ArgumentException">NaN or infinity.</exception>
    public static FieldValue FromDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"{value} is not a finite double", nameof(value));
        }

        return new FieldValue(FieldType.Double, BitConverter.DoubleToInt64Bits(value + 0d), null);
    }

    /// <summary>A decimal value of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">The type is not decimal, or the value has more fractional digits than the scale or more digits than the precision.</exception>
    public static FieldValue FromDecimal(decimal value, FieldType type)
    {
        if (type.Kind != FieldKind.Decimal)
        {
            throw new ArgumentException($"{type} is not a decimal type", nameof(type));
        }

        if (!DecimalScaling.TryToUnscaled(value, type.Scale, out var unscaled))
        {
            throw new ArgumentException($"{value.ToString(CultureInfo.InvariantCulture)} has more than {type.Scale} decimal places or is out of range for {type}", nameof(value));
        }

        return FromUnscaledDecimal(unscaled, type);
    }

    /// <summary>A decimal value of <paramref name="type"/> from its unscaled integer (value·10^scale).</summary>
    /// <exception cref="ArgumentException">The type is not decimal or the value needs more digits than the precision.</exception>
    public static FieldValue FromUnscaledDecimal(long unscaled, FieldType type)
    {
        if (type.Kind != FieldKind.Decimal)
        {
            throw new ArgumentException($"{type} is not a decimal type", nameof(type));
        }

        var limit = DecimalScaling.Pow10(type.Precision);
        if (unscaled >= limit || unscaled <= -limit)
        {
            throw new ArgumentException($"unscaled value {unscaled} needs more than {type.Precision} digits ({type})", nameof(unscaled));
        }

        return new FieldValue(type, unscaled, null);
    }

    /// <summary>A bool value.</summary>
    public static FieldValue FromBool(bool value) => new(FieldType.Bool, value ? 1 : 0, null);

    /// <summary>A timestamp from UTC epoch milliseconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside the range of <see cref="DateTimeOffset"/>.</exception>
    public static FieldValue FromTimestamp(long epochMilliseconds)
    {
        if (epochMilliseconds < MinTimestampMilliseconds || epochMilliseconds > MaxTimestampMilliseconds)
        {
            throw new ArgumentOutOfRangeException(nameof(epochMilliseconds), epochMilliseconds, "outside the range of DateTimeOffset");
        }

        return new FieldValue(FieldType.Timestamp, epochMilliseconds, null);
    }

    /// <summary>A timestamp (converted to UTC; sub-millisecond parts are truncated).</summary>
    public static FieldValue FromTimestamp(DateTimeOffset timestamp) => FromTimestamp(timestamp.ToUnixTimeMilliseconds());

    /// <summary>Builds a value of <paramref name="type"/> from raw bits (see <see cref="RawBits"/>); strings are not accepted.</summary>
    /// <exception cref="ArgumentException">A string type, or bits that are invalid for the type.</exception>
    public static FieldValue FromRawBits(FieldType type, long bits) => type.Kind switch
    {
        FieldKind.Long => FromLong(bits),
        FieldKind.Double => FromDouble(BitConverter.Int64BitsToDouble(bits)),
        FieldKind.Decimal => FromUnscaledDecimal(bits, type),
        FieldKind.Bool => bits is 0 or 1 ? FromBool(bits == 1) : throw new ArgumentException("bool bits must be 0 or 1", nameof(bits)),
        FieldKind.Timestamp => FromTimestamp(bits),
        _ => throw new ArgumentException($"{type} values cannot be built from raw bits", nameof(type)),
    };

    /// <summary>
    /// Parses the canonical text of a value of <paramref name="type"/> (<see cref="ToCanonicalString"/>;
    /// also accepts any decimal/long/double text in invariant culture, <c>true</c>/<c>false</c> in any case,
    /// and ISO-8601 timestamps with an offset or epoch milliseconds).
    /// </summary>
    public static bool TryParse(string text, FieldType type, out FieldValue value)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = default;
        switch (type.Kind)
        {
            case FieldKind.String:
                value = FromString(text);
                return true;
            case FieldKind.Long:
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    value = FromLong(l);
                    return true;
                }

                return false;
            case FieldKind.Double:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                {
                    value = FromDouble(d);
                    return true;
                }

                return false;
            case FieldKind.Decimal:
                if (decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var m)
                    && DecimalScaling.TryToUnscaled(m, type.Scale, out var unscaled)
                    && unscaled < DecimalScaling.Pow10(type.Precision) && unscaled > -DecimalScaling.Pow10(type.Precision))
                {
                    value = new FieldValue(type, unscaled, null);
                    return true;
                }

                return false;
            case FieldKind.Bool:
                if (bool.TryParse(text, out var b))
                {
                    value = FromBool(b);
                    return true;
                }

                return false;
            case FieldKind.Timestamp:
                if (EventTime.TryParse(text, out var ms, out _))
                {
                    value = FromTimestamp(ms);
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>The string.</summary>
    /// <exception cref="InvalidOperationException">Not a string value.</exception>
    public string AsString() => Type.Kind == FieldKind.String && !_isNull ? _string! : throw WrongKind(FieldKind.String);

    /// <summary>The long.</summary>
    /// <exception cref="InvalidOperationException">Not a long value.</exception>
    public long AsLong() => Type.Kind == FieldKind.Long && !_isNull ? RawBits : throw WrongKind(FieldKind.Long);

    /// <summary>The double.</summary>
    /// <exception cref="InvalidOperationException">Not a double value.</exception>
    public double AsDouble() => Type.Kind == FieldKind.Double && !_isNull ? BitConverter.Int64BitsToDouble(RawBits) : throw WrongKind(FieldKind.Double);

    /// <summary>The decimal, with exactly the type's scale.</summary>
    /// <exception cref="InvalidOperationException">Not a decimal value.</exception>
    public decimal AsDecimal() => Type.Kind == FieldKind.Decimal && !_isNull ? DecimalScaling.FromUnscaled(RawBits, Type.Scale) : throw WrongKind(FieldKind.Decimal);

    /// <summary>The bool.</summary>
    /// <exception cref="InvalidOperationException">Not a bool value.</exception>
    public bool AsBool() => Type.Kind == FieldKind.Bool && !_isNull ? RawBits != 0 : throw WrongKind(FieldKind.Bool);

    /// <summary>The timestamp as UTC epoch milliseconds.</summary>
    /// <exception cref="InvalidOperationException">Not a timestamp value.</exception>
    public long AsTimestampMilliseconds() => Type.Kind == FieldKind.Timestamp && !_isNull ? RawBits : throw WrongKind(FieldKind.Timestamp);

    /// <summary>The timestamp (UTC).</summary>
    /// <exception cref="InvalidOperationException">Not a timestamp value.</exception>
    public DateTimeOffset AsTimestamp() => DateTimeOffset.FromUnixTimeMilliseconds(AsTimestampMilliseconds());

    /// <summary>The boxed CLR value: string, long, double, decimal, bool or <see cref="DateTimeOffset"/> (UTC).</summary>
    /// <exception cref="InvalidOperationException">A null value.</exception>
    public object ToObject() => _isNull ? throw WrongKind(Type.Kind) : Type.Kind switch
    {
        FieldKind.String => _string!,
        FieldKind.Long => RawBits,
        FieldKind.Double => BitConverter.Int64BitsToDouble(RawBits),
        FieldKind.Decimal => AsDecimal(),
        FieldKind.Bool => RawBits != 0,
        FieldKind.Timestamp => AsTimestamp(),
        _ => throw new InvalidOperationException("default(FieldValue) holds no value"),
    };

    /// <summary>
    /// The canonical text: strings as they are; longs in invariant digits; doubles in round-trip (R)
    /// form; decimals with exactly the type's scale (<c>12.50</c>); <c>true</c>/<c>false</c>; timestamps
    /// as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>; <c>null</c> for a null.
    /// </summary>
    public string ToCanonicalString() => _isNull ? "null" : Type.Kind == FieldKind.String ? _string! : CanonicalText.ToString(Type, RawBits);

    /// <inheritdoc/>
    public override string ToString() => Type.Kind == 0 ? "(none)" : ToCanonicalString();

    /// <inheritdoc/>
    public bool Equals(FieldValue other) =>
        Type == other.Type && RawBits == other.RawBits && _isNull == other._isNull && string.Equals(_string, other._string, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is FieldValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, RawBits, _isNull, _string is null ? 0 : StringComparer.Ordinal.GetHashCode(_string));

    /// <summary>Orders by type first, then by value: strings ordinal (UTF-16), numbers and timestamps numerically, false before true.</summary>
    public int CompareTo(FieldValue other)
    {
        if (Type != other.Type)
        {
            var byKind = Type.Kind.CompareTo(other.Type.Kind);
            return byKind != 0 ? byKind : Type.Scale.CompareTo(other.Type.Scale);
        }

        if (_isNull || other._isNull)
        {
            return other._isNull.CompareTo(_isNull);
        }

        return Type.Kind switch
        {
            FieldKind.String => string.CompareOrdinal(_string, other._string),
            FieldKind.Double => BitConverter.Int64BitsToDouble(RawBits).CompareTo(BitConverter.Int64BitsToDouble(other.RawBits)),
            _ => RawBits.CompareTo(other.RawBits),
        };
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(FieldValue left, FieldValue right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(FieldValue left, FieldValue right) => !left.Equals(right);

    /// <summary>Ordering.</summary>
    public static bool operator <(FieldValue left, FieldValue right) => left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(FieldValue left, FieldValue right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(FieldValue left, FieldValue right) => left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(FieldValue left, FieldValue right) => left.CompareTo(right) >= 0;

    internal static readonly long MinTimestampMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    internal static readonly long MaxTimestampMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private InvalidOperationException WrongKind(FieldKind expected) =>
        new(_isNull ? $"the value is the null of {Type}" : $"the value is {Type}, not {expected.ToString().ToLowerInvariant()}");
}
