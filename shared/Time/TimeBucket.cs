namespace Lambda.Shared.Time;

/// <summary>
/// Bucket arithmetic on UTC epoch milliseconds. A bucket is identified by its start; it covers the
/// half-open interval <c>[start, start + width)</c>. Flooring uses floor division, so instants before
/// 1970 land in the bucket that contains them too.
/// </summary>
public static class TimeBucket
{
    /// <summary>The start (UTC epoch ms) of the bucket that contains <paramref name="epochMilliseconds"/>.</summary>
    public static long Floor(long epochMilliseconds, Granularity granularity)
    {
        var width = granularity.ToMilliseconds();
        var remainder = epochMilliseconds % width;
        return remainder < 0 ? epochMilliseconds - remainder - width : epochMilliseconds - remainder;
    }

    /// <summary>The start (UTC) of the bucket that contains <paramref name="timestamp"/>, whatever its offset.</summary>
    public static DateTimeOffset Floor(DateTimeOffset timestamp, Granularity granularity) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Floor(timestamp.ToUnixTimeMilliseconds(), granularity));

    /// <summary>The end (exclusive, UTC epoch ms) of the bucket starting at or containing <paramref name="epochMilliseconds"/>.</summary>
    public static long End(long epochMilliseconds, Granularity granularity) =>
        Floor(epochMilliseconds, granularity) + granularity.ToMilliseconds();

    /// <summary>
    /// The coarser bucket that a finer bucket belongs to. Because every granularity divides the coarser
    /// ones, rolling up is flooring the finer bucket's start.
    /// </summary>
    /// <param name="bucketStart">Start (UTC epoch ms) of a bucket of any granularity finer than or equal to <paramref name="target"/>.</param>
    /// <param name="target">The coarser granularity.</param>
    public static long RollUp(long bucketStart, Granularity target) => Floor(bucketStart, target);

    /// <summary>
    /// The coarser bucket that a bucket of granularity <paramref name="from"/> belongs to.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is finer than <paramref name="from"/>: a bucket cannot be split.</exception>
    public static long RollUp(long bucketStart, Granularity from, Granularity to)
    {
        if (!from.CanRollUpTo(to))
        {
            throw new ArgumentException(
                $"cannot roll {from.ToName()} buckets up to the finer granularity {to.ToName()}", nameof(to));
        }

        if (Floor(bucketStart, from) != bucketStart)
        {
            throw new ArgumentException(
                $"{ToIso(bucketStart)} is not the start of a {from.ToName()} bucket", nameof(bucketStart));
        }

        return Floor(bucketStart, to);
    }

    /// <summary>True when <paramref name="epochMilliseconds"/> is the start of a bucket of <paramref name="granularity"/>.</summary>
    public static bool IsAligned(long epochMilliseconds, Granularity granularity) =>
        Floor(epochMilliseconds, granularity) == epochMilliseconds;

    /// <summary>The starts of every bucket of <paramref name="granularity"/> that overlaps <paramref name="range"/>, in order.</summary>
    public static IEnumerable<long> Enumerate(TimeRange range, Granularity granularity)
    {
        if (range.IsEmpty)
        {
            yield break;
        }

        var width = granularity.ToMilliseconds();
        for (var start = Floor(range.StartMilliseconds, granularity); start < range.EndMilliseconds; start += width)
        {
            yield return start;
        }
    }

    /// <summary>Formats UTC epoch ms as ISO-8601 with milliseconds and <c>Z</c>, e.g. <c>2026-11-25T10:00:00.000Z</c>.</summary>
    public static string ToIso(long epochMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(epochMilliseconds).UtcDateTime
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
