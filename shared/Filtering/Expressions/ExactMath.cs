using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>Overflow-checked integer arithmetic of the expression language; false means the result is null.</summary>
internal static class ExactMath
{
    /// <summary>Exclusive bound of an 18-digit unscaled decimal.</summary>
    public static readonly long DecimalLimit = DecimalScaling.Pow10(FieldType.MaxDecimalPrecision);

    private static readonly Int128[] Powers128 = BuildPowers();

    public static Int128 Pow10(int exponent) => Powers128[exponent];

    public static bool TryNarrow(Int128 value, out long result)
    {
        if (value > long.MaxValue || value < long.MinValue)
        {
            result = 0;
            return false;
        }

        result = (long)value;
        return true;
    }

    /// <summary>Narrows to an unscaled decimal of at most 18 digits.</summary>
    public static bool TryNarrowDecimal(Int128 value, out long result, int precision = FieldType.MaxDecimalPrecision)
    {
        var limit = DecimalScaling.Pow10(precision);
        if (value >= limit || value <= -limit)
        {
            result = 0;
            return false;
        }

        result = (long)value;
        return true;
    }

    /// <summary>Raises the scale of an unscaled value from <paramref name="from"/> to <paramref name="to"/> (to ≥ from).</summary>
    public static bool TryRescale(long value, int from, int to, out long result) =>
        TryNarrowDecimal(value * Pow10(to - from), out result);

    /// <summary>Floor division (rounds toward minus infinity); the divisor is not zero.</summary>
    public static Int128 FloorDivide(Int128 value, Int128 divisor)
    {
        var q = value / divisor;
        return (value % divisor != 0) && ((value < 0) != (divisor < 0)) ? q - 1 : q;
    }

    /// <summary>The value of a long, decimal or double as a double.</summary>
    public static double ToDouble(FieldType type, long bits) => type.Kind switch
    {
        FieldKind.Double => BitConverter.Int64BitsToDouble(bits),
        FieldKind.Decimal => (double)DecimalScaling.FromUnscaled(bits, type.Scale),
        _ => bits,
    };

    /// <summary>The scale of a long (0) or decimal operand.</summary>
    public static int ScaleOf(FieldType type) => type.Kind == FieldKind.Decimal ? type.Scale : 0;

    private static Int128[] BuildPowers()
    {
        var powers = new Int128[39];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
