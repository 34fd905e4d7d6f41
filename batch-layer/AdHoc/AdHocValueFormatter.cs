using System.Collections;
using System.Globalization;
using System.Text;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>Formats DuckDB values for the console: invariant culture, ISO dates, hex for bytes.</summary>
public static class AdHocValueFormatter
{
    /// <summary>Bytes shown of a BLOB before it is cut.</summary>
    public const int MaxBlobBytes = 16;

    /// <summary>The text of one value; <c>NULL</c> for null.</summary>
    public static string Format(object? value) => value switch
    {
        null or DBNull => "NULL",
        string s => s,
        bool b => b ? "true" : "false",
        DateTime dt => dt.ToString(dt.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + "Z",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => FormatBytes(bytes),
        IDictionary dictionary => "{" + string.Join(", ", dictionary.Keys.Cast<object>().Select(k => $"{Format(k)}: {Format(dictionary[k])}")) + "}",
        IEnumerable sequence => "[" + string.Join(", ", sequence.Cast<object?>().Select(Format)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string FormatBytes(byte[] bytes)
    {
        var sb = new StringBuilder("0x");
        sb.Append(Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, MaxBlobBytes)));
        if (bytes.Length > MaxBlobBytes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"… ({bytes.Length} bytes)");
        }

        return sb.ToString();
    }
}
