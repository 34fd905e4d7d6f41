namespace Lambda.Shared.Measures;

/// <summary>Conversions between exact scaled integers (unscaled value + scale) and <see cref="decimal"/>.</summary>
public static class DecimalScaling
{
    private static readonly UInt128 MaxMagnitude = (UInt128.One << 96) - 1;

    /// <summary>
    /// The decimal <c>unscaled / 10^scale</c>, keeping exactly <paramref name="scale"/> fractional digits
    /// (so <c>(34560, 2)</c> is <c>345.60</c>).
    /// </summary>
    /// <exception cref="OverflowException">The magnitude does not fit a decimal's 96-bit mantissa.</exception>
    public static decimal FromUnscaled(Int128 unscaled, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 28);
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        var negative = Int128.IsNegative(unscaled);
        var magnitude = negative ? (UInt128)(-(unscaled + 1)) + 1 : (UInt128)unscaled;
        if (magnitude > MaxMagnitude)
        {
            throw new OverflowException($"exact sum {unscaled} (scale {scale}) exceeds the range of decimal");
        }

        var lo = (int)(uint)magnitude;
        var mid = (int)(uint)(magnitude >> 32);
        var hi = (int)(uint)(magnitude >> 64);
        return new decimal(lo, mid, hi, negative && magnitude != 0, (byte)scale);
    }

    /// <summary>The decimal <c>unscaled / 10^scale</c> with exactly <paramref name="scale"/> fractional digits.</summary>
    public static decimal FromUnscaled(long unscaled, int scale) => FromUnscaled((Int128)unscaled, scale);

    /// <summary>
    /// The unscaled integer <c>value * 10^scale</c>, when <paramref name="value"/> has at most
    /// <paramref name="scale"/> significant fractional digits and the result fits a long.
    /// </summary>
    public static bool TryToUnscaled(decimal value, int scale, out long unscaled)
    {
        unscaled = 0;
        if (scale is < 0 or > 18)
        {
            return false;
        }

        decimal scaled;
        try
        {
            scaled = value * Pow10Decimal(scale);
        }
        catch (OverflowException)
        {
            return false;
        }

        if (decimal.Truncate(scaled) != scaled || scaled > long.MaxValue || scaled < long.MinValue)
        {
            return false;
        }

        unscaled = (long)scaled;
        return true;
    }

    /// <summary>10^exponent as a long, for exponent 0..18.</summary>
    public static long Pow10(int exponent) => Powers[exponent];

    private static decimal Pow10Decimal(int exponent) => Powers[exponent];

    private static readonly long[] Powers =
    [
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L,
    ];
}
