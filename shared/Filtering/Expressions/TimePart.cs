namespace Lambda.Shared.Filtering.Expressions;

/// <summary>The parts of a timestamp the time functions extract (UTC).</summary>
internal enum TimePart
{
    /// <summary><c>hour_of_day</c>: 0..23.</summary>
    HourOfDay,

    /// <summary><c>day_of_week</c>: ISO, Monday = 1 .. Sunday = 7.</summary>
    DayOfWeek,
}
