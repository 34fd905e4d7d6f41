using System.Globalization;
using System.Text.RegularExpressions;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Reads the length of a <c>window</c>: a whole number and a unit, <c>m</c> (minutes), <c>h</c> (hours) or <c>d</c>
/// (days) (<c>15m</c>, <c>2h</c>, <c>1d</c>), or an ISO-8601 duration of weeks, days, hours, minutes and seconds
/// (<c>PT15M</c>, <c>PT2H</c>, <c>P1D</c>, <c>P1DT12H</c>, <c>P2W</c>). Years and months are refused: they have no fixed length.
/// </summary>
public static partial class WindowLengthText
{
    /// <summary>Longest length read (longer ones are refused rather than overflowing): 100 years of days.</summary>
    private const long MaxSeconds = 36_525L * 86_400;

    /// <summary>The accepted forms, for error messages.</summary>
    public const string Forms = "a whole number of minutes, hours or days (15m, 2h, 1d) or an ISO-8601 duration (PT15M, PT2H, P1D), at most 100 years";

    /// <summary>Parses <paramref name="text"/>; false when it is none of the accepted forms or longer than 100 years.</summary>
    public static bool TryParse(string? text, out TimeSpan length)
    {
        length = TimeSpan.Zero;
        var trimmed = (text ?? string.Empty).Trim();
        long seconds;
        if (Short().Match(trimmed) is { Success: true } s)
        {
            if (!TryNumber(s.Groups["n"].Value, out var n))
            {
                return false;
            }

            seconds = s.Groups["unit"].Value switch
            {
                "m" => n * 60,
                "h" => n * 3_600,
                _ => n * 86_400,
            };
        }
        else if (Iso().Match(trimmed) is { Success: true } iso && trimmed.Length > 1 && !trimmed.EndsWith('T'))
        {
            seconds = 0;
            foreach (var (group, unit) in new[] { ("w", 604_800L), ("d", 86_400L), ("h", 3_600L), ("m", 60L), ("s", 1L) })
            {
                if (iso.Groups[group].Success)
                {
                    if (!TryNumber(iso.Groups[group].Value, out var n))
                    {
                        return false;
                    }

                    seconds += n * unit;
                }
            }
        }
        else
        {
            return false;
        }

        if (seconds > MaxSeconds)
        {
            return false;
        }

        length = TimeSpan.FromSeconds(seconds);
        return true;
    }

    // At most 9 digits, so a number times its unit cannot overflow before the bound is checked.
    private static bool TryNumber(string digits, out long value) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 999_999_999;

    [GeneratedRegex("^(?<n>[0-9]{1,9})(?<unit>[mhd])$", RegexOptions.CultureInvariant)]
    private static partial Regex Short();

    [GeneratedRegex("^P(?:(?<w>[0-9]{1,9})W)?(?:(?<d>[0-9]{1,9})D)?(?:T(?:(?<h>[0-9]{1,9})H)?(?:(?<m>[0-9]{1,9})M)?(?:(?<s>[0-9]{1,9})S)?)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Iso();
}
