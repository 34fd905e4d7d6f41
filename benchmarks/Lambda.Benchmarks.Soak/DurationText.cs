using System.Globalization;

namespace Lambda.Benchmarks.Soak;

/// <summary>Durations written as a number and a unit: <c>30d</c>, <c>12h</c>, <c>10m</c>, <c>45s</c>; a bare <c>0</c> is zero.</summary>
internal static class DurationText
{
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed == "0")
        {
            return TimeSpan.Zero;
        }

        if (trimmed.Length < 2 || !double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new FormatException($"'{text}' is not a duration: write a number and a unit, e.g. 30d, 12h, 10m, 45s, or 0");
        }

        return char.ToLowerInvariant(trimmed[^1]) switch
        {
            'd' => TimeSpan.FromDays(value),
            'h' => TimeSpan.FromHours(value),
            'm' => TimeSpan.FromMinutes(value),
            's' => TimeSpan.FromSeconds(value),
            _ => throw new FormatException($"'{text}' has an unknown unit '{trimmed[^1]}': use d, h, m or s"),
        };
    }
}
