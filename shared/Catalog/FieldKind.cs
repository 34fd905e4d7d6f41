namespace Lambda.Shared.Catalog;

/// <summary>The kinds of values a source field can hold.</summary>
public enum FieldKind
{
    /// <summary>A UTF-8 string (JSON string).</summary>
    String = 1,

    /// <summary>A signed 64-bit integer (JSON number without fraction or exponent).</summary>
    Long = 2,

    /// <summary>An IEEE-754 double (JSON number).</summary>
    Double = 3,

    /// <summary>An exact decimal with a fixed precision and scale (JSON number), see <see cref="FieldType.Decimal(int, int)"/>.</summary>
    Decimal = 4,

    /// <summary>A boolean (JSON <c>true</c>/<c>false</c>).</summary>
    Bool = 5,

    /// <summary>An instant in UTC at millisecond precision (ISO-8601 string with offset, or epoch milliseconds).</summary>
    Timestamp = 6,
}
