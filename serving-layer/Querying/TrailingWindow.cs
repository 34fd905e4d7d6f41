using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// A trailing window of whole buckets: the range arithmetic shared by sliding-window queries (<c>window=</c> of
/// <c>GET /api/views/{view}</c>) and alert rules. The window of the bucket starting at <c>b</c> is
/// <c>[b + width - Length, b + width)</c>: it ends with that bucket's end and holds <see cref="Buckets"/> buckets.
/// </summary>
public sealed record TrailingWindow
{
    private TrailingWindow(Granularity granularity, long buckets)
    {
        Granularity = granularity;
        Buckets = buckets;
    }

    /// <summary>The width of the buckets the window counts in.</summary>
    public Granularity Granularity { get; }

    /// <summary>How many buckets the window holds (at least 1).</summary>
    public long Buckets { get; }

    /// <summary>The window's length in milliseconds.</summary>
    public long LengthMilliseconds => Buckets * Granularity.ToMilliseconds();

    /// <summary>The window's length.</summary>
    public TimeSpan Length => TimeSpan.FromMilliseconds(LengthMilliseconds);

    /// <summary>
    /// The window of <paramref name="length"/> over buckets of <paramref name="granularity"/>, or why there is none:
    /// the length must be a positive whole number of buckets.
    /// </summary>
    public static bool TryCreate(
        TimeSpan length, Granularity granularity, [NotNullWhen(true)] out TrailingWindow? window, [NotNullWhen(false)] out string? error)
    {
        var width = granularity.ToTimeSpan();
        if (length <= TimeSpan.Zero || length.Ticks % width.Ticks != 0)
        {
            window = null;
            error = string.Create(
                CultureInfo.InvariantCulture,
                $"{Format(length)} is not a positive whole number of {granularity.ToName()}s ({Format(width)} buckets)");
            return false;
        }

        window = new TrailingWindow(granularity, length.Ticks / width.Ticks);
        error = null;
        return true;
    }

    /// <summary>The window of <paramref name="buckets"/> buckets of <paramref name="granularity"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="buckets"/> is less than 1.</exception>
    public static TrailingWindow OfBuckets(Granularity granularity, long buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        return new TrailingWindow(granularity, buckets);
    }

    /// <summary><c>[end - Length, end)</c>.</summary>
    public TimeRange EndingAt(long endMilliseconds) => new(endMilliseconds - LengthMilliseconds, endMilliseconds);

    /// <summary>The window of the bucket starting at <paramref name="bucketStart"/>: it ends with that bucket's end.</summary>
    public TimeRange OfBucket(long bucketStart) => EndingAt(bucketStart + Granularity.ToMilliseconds());

    /// <summary>
    /// The window of the bucket that holds <paramref name="instant"/> (still filling): it ends at that bucket's end. A
    /// 5-minute window over minutes at 10:07:20 is <c>[10:03, 10:08)</c>.
    /// </summary>
    public TimeRange EndingWithBucketOf(DateTimeOffset instant) =>
        OfBucket(TimeBucket.Floor(instant.ToUnixTimeMilliseconds(), Granularity));

    /// <summary>
    /// What must be read to give every bucket of <paramref name="buckets"/> (aligned to <see cref="Granularity"/>) its
    /// window: <c>[from - Length + width, to)</c>, the union of the buckets' windows.
    /// </summary>
    /// <exception cref="ArgumentException">The range is not aligned to the window's granularity.</exception>
    public TimeRange ReadRange(TimeRange buckets)
    {
        if (!buckets.IsAlignedTo(Granularity))
        {
            throw new ArgumentException($"the range {buckets} is not aligned to {Granularity.ToName()} buckets", nameof(buckets));
        }

        return new TimeRange(OfBucket(buckets.StartMilliseconds).StartMilliseconds, buckets.EndMilliseconds);
    }

    /// <summary>The length in the API's short form: the largest of <c>d</c>, <c>h</c>, <c>m</c> that divides it (<c>90m</c>, <c>2h</c>, <c>1d</c>).</summary>
    public override string ToString() => Format(Length);

    private static string Format(TimeSpan length)
    {
        var ticks = length.Ticks;
        return ticks != 0 && ticks % TimeSpan.TicksPerDay == 0 ? string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerDay}d")
            : ticks != 0 && ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerHour}h")
            : ticks % TimeSpan.TicksPerMinute == 0 ? string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerMinute}m")
            : length.ToString("c", CultureInfo.InvariantCulture);
    }
}
