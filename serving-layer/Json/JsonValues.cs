using System.Globalization;
using System.Text.Json;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Json;

/// <summary>
/// Writes dimension and measure values as the query contract wants them: decimals as JSON numbers with the
/// source's scale (<c>345.60</c>, not <c>345.6</c>), counts and distinct counts as integers, timestamps as
/// ISO-8601 UTC strings, quantiles as an object of percentiles (<c>{"p50":12.1,"p99":80.4}</c>), missing values
/// (min/max/avg/quantiles of nothing) as null.
/// </summary>
public static class JsonValues
{
    /// <summary>The instant format of buckets and timestamps: <c>2026-11-25T10:00:00Z</c>, milliseconds only when not zero.</summary>
    public static string FormatInstant(long epochMilliseconds)
    {
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(epochMilliseconds).UtcDateTime;
        return utc.ToString(InstantFormat(utc), CultureInfo.InvariantCulture);
    }

    private static string InstantFormat(DateTime utc) => utc.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>
    /// Writes the property <paramref name="name"/> with the instant as <see cref="FormatInstant"/> formats it, without a
    /// string per value (an answer writes one per row).
    /// </summary>
    public static void WriteInstant(Utf8JsonWriter writer, string name, long epochMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(epochMilliseconds).UtcDateTime;
        Span<byte> text = stackalloc byte[32];
        if (!utc.TryFormat(text, out var length, InstantFormat(utc), CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"the instant {epochMilliseconds} ms does not fit its format");
        }

        writer.WriteString(name, text[..length]);
    }

    /// <summary>
    /// A decimal as a JSON number keeping every digit of its scale. Written raw from <see cref="decimal.ToString(IFormatProvider)"/>
    /// (invariant culture), which keeps trailing zeros and never uses an exponent, so the text is valid JSON as it is.
    /// </summary>
    public static void WriteDecimal(Utf8JsonWriter writer, decimal value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> buffer = stackalloc byte[64];
        if (!value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("a decimal did not fit 64 bytes");
        }

        writer.WriteRawValue(buffer[..written], skipInputValidation: true);
    }

    /// <summary>A double as a JSON number; null when it is not finite (JSON has no NaN or infinity).</summary>
    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>A measure's final value.</summary>
    public static void WriteMeasure(Utf8JsonWriter writer, MeasureValue value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value.Kind)
        {
            case MeasureValueKind.Long:
                writer.WriteNumberValue(value.AsLong());
                break;
            case MeasureValueKind.Double:
                WriteDouble(writer, value.AsDouble());
                break;
            case MeasureValueKind.Decimal:
                WriteDecimal(writer, value.AsDecimal());
                break;
            case MeasureValueKind.Timestamp:
                writer.WriteStringValue(FormatInstant(value.AsTimestamp().ToUnixTimeMilliseconds()));
                break;
            case MeasureValueKind.Quantiles:
                writer.WriteStartObject();
                foreach (var quantile in value.AsQuantiles())
                {
                    writer.WritePropertyName(quantile.Label);
                    WriteDouble(writer, quantile.Value);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>A dimension value: string, number (decimals with their scale), boolean or timestamp string.</summary>
    public static void WriteField(Utf8JsonWriter writer, FieldValue value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.IsNull)
        {
            // The group of a derived dimension whose value is null.
            writer.WriteNullValue();
            return;
        }

        switch (value.Type.Kind)
        {
            case FieldKind.String:
                writer.WriteStringValue(value.AsString());
                break;
            case FieldKind.Long:
                writer.WriteNumberValue(value.AsLong());
                break;
            case FieldKind.Double:
                WriteDouble(writer, value.AsDouble());
                break;
            case FieldKind.Decimal:
                WriteDecimal(writer, value.AsDecimal());
                break;
            case FieldKind.Bool:
                writer.WriteBooleanValue(value.AsBool());
                break;
            case FieldKind.Timestamp:
                writer.WriteStringValue(FormatInstant(value.AsTimestampMilliseconds()));
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
