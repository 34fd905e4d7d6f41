namespace Lambda.Shared.Time;

/// <summary>
/// A half-open UTC interval <c>[Start, End)</c> at millisecond precision. <c>Start == End</c> is the empty range.
/// </summary>
public readonly record struct TimeRange
{
    /// <summary>Creates <c>[start, end)</c> from UTC epoch milliseconds.</summary>
    /// <exception cref="ArgumentException"><paramref name="end"/> is before <paramref name="start"/>.</exception>
    public TimeRange(long startMilliseconds, long endMilliseconds)
    {
        if (endMilliseconds < startMilliseconds)
        {
            throw new ArgumentException(
                $"range end {TimeBucket.ToIso(endMilliseconds)} is before its start {TimeBucket.ToIso(startMilliseconds)}",
                nameof(endMilliseconds));
        }

        StartMilliseconds = startMilliseconds;
        EndMilliseconds = endMilliseconds;
    }

    /// <summary>Creates <c>[start, end)</c>; the offsets of the arguments do not matter, the range is kept in UTC.
    /// Sub-millisecond parts are truncated.</summary>
    public TimeRange(DateTimeOffset start, DateTimeOffset end)
        : this(start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds())
    {
    }

    /// <summary>Inclusive start, UTC epoch milliseconds.</summary>
    public long StartMilliseconds { get; }

    /// <summary>Exclusive end, UTC epoch milliseconds.</summary>
    public long EndMilliseconds { get; }

    /// <summary>Inclusive start (UTC).</summary>
    public DateTimeOffset Start => DateTimeOffset.FromUnixTimeMilliseconds(StartMilliseconds);

    /// <summary>Exclusive end (UTC).</summary>
    public DateTimeOffset End => DateTimeOffset.FromUnixTimeMilliseconds(EndMilliseconds);

    /// <summary>True when the range holds no instant.</summary>
    public bool IsEmpty => StartMilliseconds == EndMilliseconds;

    /// <summary>True when <c>Start &lt;= t &lt; End</c>.</summary>
    public bool Contains(long epochMilliseconds) =>
        epochMilliseconds >= StartMilliseconds && epochMilliseconds < EndMilliseconds;

    /// <summary>True when <c>Start &lt;= t &lt; End</c>.</summary>
    public bool Contains(DateTimeOffset timestamp) => Contains(timestamp.ToUnixTimeMilliseconds());

    /// <summary>True when the whole bucket starting at <paramref name="bucketStart"/> lies inside the range.</summary>
    public bool ContainsBucket(long bucketStart, Granularity granularity) =>
        bucketStart >= StartMilliseconds && bucketStart + granularity.ToMilliseconds() <= EndMilliseconds;

    /// <summary>True when the two ranges share at least one instant.</summary>
    public bool Overlaps(TimeRange other) =>
        !IsEmpty && !other.IsEmpty && StartMilliseconds < other.EndMilliseconds && other.StartMilliseconds < EndMilliseconds;

    /// <summary>True when both ends are bucket starts of <paramref name="granularity"/>.</summary>
    public bool IsAlignedTo(Granularity granularity) =>
        TimeBucket.IsAligned(StartMilliseconds, granularity) && TimeBucket.IsAligned(EndMilliseconds, granularity);

    /// <summary>The smallest range aligned to <paramref name="granularity"/> that covers this one.</summary>
    public TimeRange AlignOutward(Granularity granularity)
    {
        var start = TimeBucket.Floor(StartMilliseconds, granularity);
        var endFloor = TimeBucket.Floor(EndMilliseconds, granularity);
        var end = endFloor == EndMilliseconds ? endFloor : endFloor + granularity.ToMilliseconds();
        return new TimeRange(start, end);
    }

    /// <summary><c>[start, end)</c> in ISO-8601 UTC.</summary>
    public override string ToString() => $"[{TimeBucket.ToIso(StartMilliseconds)}, {TimeBucket.ToIso(EndMilliseconds)})";
}
