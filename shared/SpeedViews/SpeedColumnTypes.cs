using System.Globalization;
using Lambda.Shared.Catalog;

namespace Lambda.Shared.SpeedViews;

/// <summary>ClickHouse types of speed-table columns, from the catalog's field types.</summary>
internal static class SpeedColumnTypes
{
    /// <summary>Largest precision stored in 4 bytes (ClickHouse Decimal32); larger precisions take 8 (Decimal64).</summary>
    public const int MaxDecimal32Precision = 9;

    /// <summary>The column type of a dimension, or of min/max, over a field of <paramref name="type"/>.</summary>
    public static string ValueType(FieldType type) => type.Kind switch
    {
        FieldKind.String => "String",
        FieldKind.Long => "Int64",
        FieldKind.Double => "Float64",
        FieldKind.Decimal => Decimal(type.Precision, type.Scale),
        FieldKind.Bool => "UInt8",
        FieldKind.Timestamp => "DateTime",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type"),
    };

    /// <summary>The column type of a sum over a field of <paramref name="type"/> (long, double or decimal).</summary>
    public static string SumType(FieldType type) => type.Kind switch
    {
        FieldKind.Long => "Int64",
        FieldKind.Double => "Float64",
        FieldKind.Decimal => Decimal(FieldType.MaxDecimalPrecision, type.Scale),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "only long, double and decimal fields are summed"),
    };

    private static string Decimal(int precision, int scale) =>
        string.Create(CultureInfo.InvariantCulture, $"Decimal({precision}, {scale})");
}
