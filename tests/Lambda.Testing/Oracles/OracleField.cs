using System.Globalization;
using System.Text.Json;
using Lambda.Shared.Catalog;

namespace Lambda.Testing.Oracles;

/// <summary>
/// Reads one field of a raw JSON event the oracle's own way (System.Text.Json, no platform parser): its
/// canonical text (for group keys and distinct counting) and its numeric value.
/// </summary>
internal static class OracleField
{
    /// <summary>
    /// The value as text: strings as they are, longs in invariant digits, decimals with exactly the field's scale,
    /// doubles in round-trip form, bools <c>true</c>/<c>false</c>, timestamps <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.
    /// </summary>
    public static string Canonical(JsonElement value, FieldType type) => type.Kind switch
    {
        FieldKind.String => value.GetString()!,
        FieldKind.Long => value.GetInt64().ToString(CultureInfo.InvariantCulture),
        FieldKind.Decimal => value.GetDecimal().ToString("F" + type.Scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        FieldKind.Double => value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        FieldKind.Bool => value.GetBoolean() ? "true" : "false",
        FieldKind.Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(Milliseconds(value)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field kind"),
    };

    /// <summary>An instant: an ISO-8601 string with an offset, or an integer of epoch milliseconds.</summary>
    public static long Milliseconds(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetInt64();
        }

        var parsed = DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.None);
        return parsed.ToUnixTimeMilliseconds();
    }
}
