namespace Lambda.Shared.Time;

/// <summary>
/// The width of a view's time buckets. Buckets are aligned to UTC: a minute bucket starts at second 0,
/// an hour bucket at minute 0, a day bucket at 00:00 UTC. Each granularity divides the next coarser one,
/// so finer buckets roll up into coarser ones exactly (<see cref="TimeBucket.RollUp(long, Granularity)"/>).
/// </summary>
public enum Granularity
{
    /// <summary>One-minute buckets.</summary>
    Minute = 1,

    /// <summary>One-hour buckets.</summary>
    Hour = 2,

    /// <summary>One-day (UTC calendar day) buckets.</summary>
    Day = 3,
}
