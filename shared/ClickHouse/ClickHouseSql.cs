using System.Globalization;
using System.Text;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// Builds SQL fragments safely. ClickHouse 18.16 has no query parameters, so every value that goes
/// into SQL text must pass through one of these helpers.
/// </summary>
public static class ClickHouseSql
{
    /// <summary>
    /// A single-quoted string literal. Backslash and quote are escaped with a backslash (ClickHouse
    /// reads backslash escapes inside literals, so doubling the quote alone is not enough), and
    /// control characters get their escape sequence so the SQL text stays on one line.
    /// </summary>
    public static string QuoteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Quote(value, '\'');
    }

    /// <summary>
    /// A back-quoted identifier (database, table or column name), escaped like a string literal,
    /// so any name is safe, including ones with back quotes, dots or spaces.
    /// </summary>
    public static string QuoteIdentifier(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Length == 0)
        {
            throw new ArgumentException("An identifier must not be empty.", nameof(identifier));
        }

        return Quote(identifier, '`');
    }

    /// <summary><c>`database`.`table`</c>, both parts quoted.</summary>
    public static string QualifiedName(string database, string table) =>
        QuoteIdentifier(database) + "." + QuoteIdentifier(table);

    /// <summary>
    /// A DateTime expression for an instant, written as Unix seconds so it means the same instant
    /// whatever the server's time zone (sub-second parts are dropped, like ClickHouse's DateTime).
    /// </summary>
    public static string DateTimeLiteral(DateTime utc)
    {
        var seconds = RowBinaryWriter.ToUnixSeconds(utc, nameof(utc));
        return "toDateTime(" + seconds.ToString(CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>A Date expression: <c>toDate('yyyy-MM-dd')</c>.</summary>
    public static string DateLiteral(DateOnly date) =>
        "toDate('" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "')";

    /// <summary>A decimal literal in invariant culture, e.g. <c>toDecimal64('12.34', 2)</c> for scale 2.</summary>
    public static string Decimal64Literal(decimal value, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 18);
        return "toDecimal64('" + value.ToString(CultureInfo.InvariantCulture) + "', "
            + scale.ToString(CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>A String expression holding arbitrary bytes: <c>unhex('00FF')</c>.</summary>
    public static string BinaryLiteral(ReadOnlySpan<byte> bytes) => "unhex('" + Convert.ToHexString(bytes) + "')";

    private static string Quote(string value, char quote)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append(quote);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\0': sb.Append(@"\0"); break;
                case '\b': sb.Append(@"\b"); break;
                case '\f': sb.Append(@"\f"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                default:
                    if (c == quote)
                    {
                        sb.Append('\\');
                    }

                    sb.Append(c);
                    break;
            }
        }

        sb.Append(quote);
        return sb.ToString();
    }
}
