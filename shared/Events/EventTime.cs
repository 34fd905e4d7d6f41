using System.Globalization;
using System.Text.Json;

namespace Lambda.Shared.Events;

/// <summary>
/// Parsing of event times and timestamp values: ISO-8601 strings that carry an offset (<c>Z</c> or
/// <c>±hh:mm</c>; parsed by System.Text.Json's ISO-8601 reader) and epoch milliseconds. Results are UTC
/// epoch milliseconds; sub-millisecond digits are truncated (floored).
/// </summary>
internal static class EventTime
{
    /// <summary>Parses an ISO-8601 string with an offset, or an integer (epoch milliseconds).</summary>
    public static bool TryParse(string text, out long epochMilliseconds, out string? error)
    {
        error = null;
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && (char.IsAsciiDigit(trimmed[0]) || trimmed[0] == '-') && !trimmed.Contains('T', StringComparison.OrdinalIgnoreCase)
            && long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out epochMilliseconds))
        {
            if (epochMilliseconds < FieldValue.MinTimestampMilliseconds || epochMilliseconds > FieldValue.MaxTimestampMilliseconds)
            {
                error = $"epoch milliseconds {epochMilliseconds} are outside the representable range";
                return false;
            }

            return true;
        }

        // Reuse the JSON reader's ISO-8601 parser so that literals and events accept exactly the same forms.
        var json = JsonSerializer.SerializeToUtf8Bytes(trimmed);
        var reader = new Utf8JsonReader(json);
        reader.Read();
        return TryParseIso(ref reader, out epochMilliseconds, out error);
    }

    /// <summary>Parses the current string token of <paramref name="reader"/> as ISO-8601 with an offset.</summary>
    public static bool TryParseIso(ref Utf8JsonReader reader, out long epochMilliseconds, out string? error)
    {
        epochMilliseconds = 0;
        error = null;
        Span<byte> buffer = stackalloc byte[64];
        scoped ReadOnlySpan<byte> raw;
        if (reader.ValueIsEscaped)
        {
            if (reader.ValueSpan.Length > buffer.Length)
            {
                error = "is not an ISO-8601 date-time (too long)";
                return false;
            }

            raw = buffer[..reader.CopyString(buffer)];
        }
        else
        {
            raw = reader.ValueSpan;
        }

        if (!reader.TryGetDateTimeOffset(out var value))
        {
            error = $"'{Describe(raw)}' is not an ISO-8601 date-time";
            return false;
        }

        if (!HasOffset(raw))
        {
            error = $"'{Describe(raw)}' has no UTC offset; write Z or ±hh:mm";
            return false;
        }

        epochMilliseconds = value.ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>True when the text after the date/time separator holds <c>Z</c> or a <c>+</c>/<c>-</c> offset.</summary>
    private static bool HasOffset(ReadOnlySpan<byte> iso)
    {
        var t = iso.IndexOfAny((byte)'T', (byte)'t');
        return t >= 0 && iso[(t + 1)..].IndexOfAny("Zz+-"u8) >= 0;
    }

    private static string Describe(ReadOnlySpan<byte> raw) =>
        raw.Length <= 40 ? System.Text.Encoding.UTF8.GetString(raw) : System.Text.Encoding.UTF8.GetString(raw[..40]) + "…";
}
