using Lambda.Shared.Measures;

namespace Lambda.Shared.Events;

/// <summary>
/// Parses a JSON number (already validated by Utf8JsonReader) straight into an unscaled 64-bit integer
/// at a given scale, exactly and without going through <see cref="decimal"/>. Hand-written because it
/// is on the per-event hot path and the BCL's decimal parse plus rescale costs several times more.
/// </summary>
internal static class ScaledDecimalParser
{
    public enum Result
    {
        Ok,
        TooManyDecimals,
        TooManyDigits,
        NeedsSlowPath,
    }

    public static Result TryParse(ReadOnlySpan<byte> number, int precision, int scale, out long unscaled)
    {
        unscaled = 0;
        var i = 0;
        var negative = number.Length > 0 && number[0] == '-';
        if (negative)
        {
            i++;
        }

        var maxIntegerDigits = precision - scale;
        long integer = 0;
        var integerDigits = 0;
        for (; i < number.Length; i++)
        {
            var d = number[i] - '0';
            if ((uint)d > 9)
            {
                break;
            }

            if (integerDigits > 0 || d != 0)
            {
                if (++integerDigits > maxIntegerDigits)
                {
                    return Result.TooManyDigits;
                }

                integer = (integer * 10) + d;
            }
        }

        long fraction = 0;
        var fractionDigits = 0;
        if (i < number.Length && number[i] == '.')
        {
            for (i++; i < number.Length; i++)
            {
                var d = number[i] - '0';
                if ((uint)d > 9)
                {
                    break;
                }

                if (fractionDigits < scale)
                {
                    fraction = (fraction * 10) + d;
                    fractionDigits++;
                }
                else if (d != 0)
                {
                    return Result.TooManyDecimals;
                }
            }
        }

        if (i < number.Length)
        {
            return Result.NeedsSlowPath;
        }

        var value = (integer * DecimalScaling.Pow10(scale)) + (fraction * DecimalScaling.Pow10(scale - fractionDigits));
        unscaled = negative ? -value : value;
        return Result.Ok;
    }
}
