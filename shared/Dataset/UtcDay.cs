using Lambda.Shared.Time;

namespace Lambda.Shared.Dataset;

/// <summary>UTC days of event times (epoch milliseconds), the unit in which the master dataset is recomputed.</summary>
public static class UtcDay
{
    /// <summary>The UTC day of <paramref name="epochMilliseconds"/>.</summary>
    public static DateOnly Of(long epochMilliseconds) =>
        DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(TimeBucket.Floor(epochMilliseconds, Granularity.Day)).UtcDateTime);

    /// <summary>The first millisecond of <paramref name="day"/>.</summary>
    public static long Start(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>Whether event times from <paramref name="min"/> to <paramref name="max"/> (inclusive) may touch <paramref name="day"/>.</summary>
    public static bool Overlaps(DateOnly day, long min, long max)
    {
        var start = Start(day);
        return max >= start && min < start + GranularityExtensions.DayMilliseconds;
    }
}
