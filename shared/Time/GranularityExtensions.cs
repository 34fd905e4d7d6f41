using System.Diagnostics.CodeAnalysis;

namespace Lambda.Shared.Time;

/// <summary>Names, widths and parsing of <see cref="Granularity"/> values.</summary>
public static class GranularityExtensions
{
    /// <summary>Milliseconds in one minute bucket.</summary>
    public const long MinuteMilliseconds = 60_000L;

    /// <summary>Milliseconds in one hour bucket.</summary>
    public const long HourMilliseconds = 3_600_000L;

    /// <summary>Milliseconds in one day bucket.</summary>
    public const long DayMilliseconds = 86_400_000L;

    /// <summary>The bucket width in milliseconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined granularity.</exception>
    public static long ToMilliseconds(this Granularity granularity) => granularity switch
    {
        Granularity.Minute => MinuteMilliseconds,
        Granularity.Hour => HourMilliseconds,
        Granularity.Day => DayMilliseconds,
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "Unknown granularity."),
    };

    /// <summary>The bucket width.</summary>
    public static TimeSpan ToTimeSpan(this Granularity granularity) =>
        TimeSpan.FromMilliseconds(granularity.ToMilliseconds());

    /// <summary>The lower-case name used in the catalog and the query API: <c>minute</c>, <c>hour</c>, <c>day</c>.</summary>
    public static string ToName(this Granularity granularity) => granularity switch
    {
        Granularity.Minute => "minute",
        Granularity.Hour => "hour",
        Granularity.Day => "day",
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "Unknown granularity."),
    };

    /// <summary>Parses <c>minute</c>, <c>hour</c> or <c>day</c> (case-insensitive).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Granularity granularity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "minute":
                granularity = Granularity.Minute;
                return true;
            case "hour":
                granularity = Granularity.Hour;
                return true;
            case "day":
                granularity = Granularity.Day;
                return true;
            default:
                granularity = default;
                return false;
        }
    }

    /// <summary>True when buckets of <paramref name="granularity"/> can be rolled up into buckets of <paramref name="target"/>
    /// (the target is the same or coarser).</summary>
    public static bool CanRollUpTo(this Granularity granularity, Granularity target) =>
        granularity.ToMilliseconds() <= target.ToMilliseconds();
}
