using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;

namespace Lambda.Shared.Events;

/// <summary>
/// The canonical text of non-string values, written as UTF-8 without allocating: what distinct counts
/// hash and what <see cref="FieldValue.ToCanonicalString"/> returns.
/// </summary>
internal static class CanonicalText
{
    /// <summary>Enough for every non-string canonical form (longest: a double in R format, ~24 bytes).</summary>
    public const int MaxNonStringLength = 64;

    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static int Write(FieldType type, long bits, Span<byte> destination)
    {
        int written;
        bool ok;
        switch (type.Kind)
        {
            case FieldKind.Long:
                ok = bits.TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
                break;
            case FieldKind.Double:
                ok = BitConverter.Int64BitsToDouble(bits).TryFormat(destination, out written, "R", CultureInfo.InvariantCulture);
                break;
            case FieldKind.Decimal:
                ok = DecimalScaling.FromUnscaled(bits, type.Scale).TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
                break;
            case FieldKind.Bool:
                var text = bits != 0 ? "true"u8 : "false"u8;
                ok = text.TryCopyTo(destination);
                written = text.Length;
                break;
            case FieldKind.Timestamp:
                ok = DateTimeOffset.FromUnixTimeMilliseconds(bits).UtcDateTime
                    .TryFormat(destination, out written, TimestampFormat, CultureInfo.InvariantCulture);
                break;
            default:
                throw new ArgumentException($"{type} values have no fixed-size canonical text", nameof(type));
        }

        if (!ok)
        {
            throw new ArgumentException("destination is too small for the canonical text", nameof(destination));
        }

        return written;
    }

    public static string ToString(FieldType type, long bits)
    {
        Span<byte> buffer = stackalloc byte[MaxNonStringLength];
        return System.Text.Encoding.UTF8.GetString(buffer[..Write(type, bits, buffer)]);
    }
}
