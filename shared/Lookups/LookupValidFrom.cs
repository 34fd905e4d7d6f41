using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Lookups;

/// <summary>Text form of <c>valid_from</c>: a UTC day <c>yyyy-MM-dd</c> (<see cref="LookupVersioning.Day"/>) or an instant (<see cref="LookupVersioning.Time"/>).</summary>
public static class LookupValidFrom
{
    /// <summary>Parses a <c>valid_from</c> cell into UTC epoch milliseconds.</summary>
    public static bool TryParse(string text, LookupVersioning versioning, out long epochMilliseconds, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        epochMilliseconds = 0;
        error = null;
        if (versioning == LookupVersioning.Day)
        {
            if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                epochMilliseconds = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
                return true;
            }

            // A midnight-UTC instant is a day too (what a Parquet DATE column reads as through some readers).
            if (FieldValue.TryParse(text, FieldType.Timestamp, out var instant) && instant.AsTimestampMilliseconds() % 86_400_000 == 0)
            {
                epochMilliseconds = instant.AsTimestampMilliseconds();
                return true;
            }

            error = $"'{text}' is not a day (yyyy-MM-dd)";
            return false;
        }

        if (FieldValue.TryParse(text, FieldType.Timestamp, out var value))
        {
            epochMilliseconds = value.AsTimestampMilliseconds();
            return true;
        }

        error = $"'{text}' is not a timestamp (ISO-8601 with an offset, or epoch milliseconds)";
        return false;
    }

    /// <summary>The canonical text of a <c>valid_from</c> value.</summary>
    public static string Format(long epochMilliseconds, LookupVersioning versioning) => versioning == LookupVersioning.Day
        ? DateTimeOffset.FromUnixTimeMilliseconds(epochMilliseconds).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : FieldValue.FromTimestamp(epochMilliseconds).ToCanonicalString();
}
