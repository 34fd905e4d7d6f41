using System.Globalization;
using System.Text.Json;
using Lambda.Shared.Measures;

namespace Lambda.Testing.Oracles;

/// <summary>
/// A measure value as the system under test answered it, reduced to what the oracle compares: null, a number
/// (exact decimal where it fits, else a double) or an instant in epoch milliseconds.
/// </summary>
public readonly record struct OracleActual(bool IsNull, decimal? Decimal, double? Double, long? Milliseconds)
{
    /// <summary>No value (an empty min, max or average).</summary>
    public static OracleActual Null { get; } = new(true, null, null, null);

    /// <summary>A number read without loss.</summary>
    public static OracleActual Of(decimal value) => new(false, value, (double)value, null);

    /// <summary>A floating-point number.</summary>
    public static OracleActual Of(double value) => new(false, null, value, null);

    /// <summary>An instant.</summary>
    public static OracleActual OfMilliseconds(long epochMilliseconds) => new(false, null, null, epochMilliseconds);

    /// <summary>A measure value the platform read back from storage (the side under test).</summary>
    public static OracleActual FromMeasureValue(MeasureValue value) => value.Kind switch
    {
        MeasureValueKind.Null => Null,
        MeasureValueKind.Long => Of((decimal)value.AsLong()),
        MeasureValueKind.Decimal => Of(value.AsDecimal()),
        MeasureValueKind.Double => Of(value.AsDouble()),
        MeasureValueKind.Timestamp => OfMilliseconds(value.AsTimestamp().ToUnixTimeMilliseconds()),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.Kind, "unknown measure value kind"),
    };

    /// <summary>A measure of an API answer: JSON null, a number, or an ISO-8601 string for timestamps.</summary>
    public static OracleActual FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => Null,
        JsonValueKind.Number => element.TryGetDecimal(out var d) ? Of(d) : Of(element.GetDouble()),
        JsonValueKind.String => OfMilliseconds(DateTimeOffset.Parse(element.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds()),
        _ => throw new InvalidOperationException($"A measure is null, a number or a timestamp string, not {element.GetRawText()}."),
    };

    /// <inheritdoc />
    public override string ToString() =>
        IsNull ? "null" : Decimal?.ToString(CultureInfo.InvariantCulture) ?? Double?.ToString("R", CultureInfo.InvariantCulture) ?? $"{Milliseconds} ms";
}
