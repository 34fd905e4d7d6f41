using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Lambda.Shared.Catalog;

/// <summary>
/// The type of a source field: a <see cref="FieldKind"/> plus, for decimals, precision and scale.
/// Catalog spelling (also <see cref="ToString"/>): <c>string</c>, <c>long</c>, <c>double</c>,
/// <c>decimal(p,s)</c>, <c>bool</c>, <c>timestamp</c>. A bare <c>decimal</c> means <c>decimal(18,2)</c>.
/// </summary>
/// <remarks>
/// Decimal precision is limited to 1..18 digits so that every value fits a scaled 64-bit integer
/// (the unscaled value, <c>value * 10^scale</c>); this is how decimals are carried through events,
/// filters and min/max states, and it matches ClickHouse's <c>Decimal64</c>/<c>Decimal(18,s)</c>.
/// </remarks>
public readonly record struct FieldType
{
    /// <summary>Largest supported decimal precision.</summary>
    public const int MaxDecimalPrecision = 18;

    private FieldType(FieldKind kind, byte precision, byte scale)
    {
        Kind = kind;
        Precision = precision;
        Scale = scale;
    }

    /// <summary>The kind of value.</summary>
    public FieldKind Kind { get; }

    /// <summary>Total number of significant decimal digits (decimals only; 0 otherwise).</summary>
    public byte Precision { get; }

    /// <summary>Digits after the decimal point (decimals only; 0 otherwise).</summary>
    public byte Scale { get; }

    /// <summary>The <c>string</c> type.</summary>
    public static FieldType String { get; } = new(FieldKind.String, 0, 0);

    /// <summary>The <c>long</c> type.</summary>
    public static FieldType Long { get; } = new(FieldKind.Long, 0, 0);

    /// <summary>The <c>double</c> type.</summary>
    public static FieldType Double { get; } = new(FieldKind.Double, 0, 0);

    /// <summary>The <c>bool</c> type.</summary>
    public static FieldType Bool { get; } = new(FieldKind.Bool, 0, 0);

    /// <summary>The <c>timestamp</c> type.</summary>
    public static FieldType Timestamp { get; } = new(FieldKind.Timestamp, 0, 0);

    /// <summary>True for <c>long</c>, <c>double</c> and <c>decimal</c>.</summary>
    public bool IsNumeric => Kind is FieldKind.Long or FieldKind.Double or FieldKind.Decimal;

    /// <summary>
    /// True when values are carried as an exact 64-bit integer: <c>long</c>, <c>decimal</c> (unscaled)
    /// and <c>timestamp</c> (epoch ms).
    /// </summary>
    public bool IsExactInteger => Kind is FieldKind.Long or FieldKind.Decimal or FieldKind.Timestamp;

    /// <summary>The <c>decimal(precision, scale)</c> type.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Precision is outside 1..18 or scale outside 0..precision.</exception>
    public static FieldType Decimal(int precision, int scale)
    {
        if (precision is < 1 or > MaxDecimalPrecision)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, $"decimal precision must be 1..{MaxDecimalPrecision}");
        }

        if (scale < 0 || scale > precision)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"decimal scale must be 0..{precision} (the precision)");
        }

        return new FieldType(FieldKind.Decimal, (byte)precision, (byte)scale);
    }

    /// <summary>Parses the catalog spelling of a type.</summary>
    /// <param name="text">e.g. <c>string</c>, <c>decimal(18,2)</c>; surrounding white space is ignored, case matters.</param>
    /// <param name="type">The parsed type.</param>
    /// <param name="error">Why the text is not a type, when it returns false.</param>
    public static bool TryParse(string? text, out FieldType type, [NotNullWhen(false)] out string? error)
    {
        type = default;
        error = null;
        var t = text?.Trim() ?? string.Empty;
        switch (t)
        {
            case "string":
                type = String;
                return true;
            case "long":
                type = Long;
                return true;
            case "double":
                type = Double;
                return true;
            case "bool":
                type = Bool;
                return true;
            case "timestamp":
                type = Timestamp;
                return true;
            case "decimal":
                type = Decimal(18, 2);
                return true;
        }

        if (t.StartsWith("decimal(", StringComparison.Ordinal))
        {
            if (!t.EndsWith(')'))
            {
                error = t.Contains(',', StringComparison.Ordinal)
                    ? $"type '{t}' is not closed with ')'"
                    : $"type '{t}' is cut at a comma: inside a {{ }} flow mapping write \"decimal(p,s)\" in quotes, or use a block mapping";
                return false;
            }

            var inner = t["decimal(".Length..^1].Split(',');
            if (inner.Length != 2
                || !int.TryParse(inner[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var precision)
                || !int.TryParse(inner[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var scale))
            {
                error = $"type '{t}' must be decimal(p,s) with integer precision p and scale s";
                return false;
            }

            if (precision is < 1 or > MaxDecimalPrecision)
            {
                error = $"decimal precision {precision} is outside 1..{MaxDecimalPrecision}";
                return false;
            }

            if (scale > precision)
            {
                error = $"decimal scale {scale} is larger than its precision {precision}";
                return false;
            }

            type = Decimal(precision, scale);
            return true;
        }

        error = t.Length == 0
            ? "type is missing; expected one of string, long, double, decimal(p,s), bool, timestamp"
            : $"unknown type '{t}'; expected one of string, long, double, decimal(p,s), bool, timestamp";
        return false;
    }

    /// <summary>Parses the catalog spelling of a type.</summary>
    /// <exception cref="FormatException">The text is not a type.</exception>
    public static FieldType Parse(string text) =>
        TryParse(text, out var type, out var error) ? type : throw new FormatException(error);

    /// <summary>The catalog spelling, e.g. <c>decimal(18,2)</c>.</summary>
    public override string ToString() => Kind switch
    {
        FieldKind.String => "string",
        FieldKind.Long => "long",
        FieldKind.Double => "double",
        FieldKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({Precision},{Scale})"),
        FieldKind.Bool => "bool",
        FieldKind.Timestamp => "timestamp",
        _ => "invalid",
    };
}
