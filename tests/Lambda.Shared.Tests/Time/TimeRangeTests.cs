using Lambda.Shared.Time;

namespace Lambda.Shared.Tests.Time;

public sealed class TimeRangeTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Ranges_are_half_open()
    {
        var range = new TimeRange(Start, Start.AddHours(1));

        Assert.True(range.Contains(Start));
        Assert.True(range.Contains(Start.AddHours(1).AddMilliseconds(-1)));
        Assert.False(range.Contains(Start.AddHours(1)));
        Assert.False(range.Contains(Start.AddMilliseconds(-1)));
        Assert.True(range.ContainsBucket(Start.AddMinutes(59).ToUnixTimeMilliseconds(), Granularity.Minute));
        Assert.False(range.ContainsBucket(Start.ToUnixTimeMilliseconds(), Granularity.Day));
        Assert.Equal("[2026-11-25T10:00:00.000Z, 2026-11-25T11:00:00.000Z)", range.ToString());
    }

    [Fact]
    public void Adjacent_ranges_do_not_overlap_and_empty_ranges_overlap_nothing()
    {
        var a = new TimeRange(Start, Start.AddHours(1));
        var b = new TimeRange(Start.AddHours(1), Start.AddHours(2));
        var empty = new TimeRange(Start.AddMinutes(30), Start.AddMinutes(30));

        Assert.False(a.Overlaps(b));
        Assert.True(a.Overlaps(new TimeRange(Start.AddMinutes(59), Start.AddHours(2))));
        Assert.True(empty.IsEmpty);
        Assert.False(a.Overlaps(empty));
        Assert.False(empty.Contains(Start.AddMinutes(30)));
    }

    [Fact]
    public void Offsets_are_normalised_to_utc()
    {
        var range = new TimeRange(Start.ToOffset(TimeSpan.FromHours(9)), Start.AddHours(1).ToOffset(TimeSpan.FromHours(-3)));

        Assert.Equal(TimeSpan.Zero, range.Start.Offset);
        Assert.Equal(Start, range.Start);
        Assert.Equal(Start.AddHours(1), range.End);
    }

    [Fact]
    public void An_end_before_the_start_is_refused_naming_both()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TimeRange(Start, Start.AddMilliseconds(-1)));

        Assert.Contains("2026-11-25T09:59:59.999Z", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Buckets_enumerate_every_bucket_that_overlaps_the_range()
    {
        var range = new TimeRange(Start.AddMinutes(10).AddSeconds(5), Start.AddMinutes(13));

        var buckets = TimeBucket.Enumerate(range, Granularity.Minute).Select(TimeBucket.ToIso).ToArray();

        Assert.Equal(["2026-11-25T10:10:00.000Z", "2026-11-25T10:11:00.000Z", "2026-11-25T10:12:00.000Z"], buckets);
        Assert.Empty(TimeBucket.Enumerate(new TimeRange(Start, Start), Granularity.Minute));
        Assert.False(range.IsAlignedTo(Granularity.Minute));
        Assert.Equal(new TimeRange(Start, Start.AddHours(1)), range.AlignOutward(Granularity.Hour));
        Assert.True(range.AlignOutward(Granularity.Minute).IsAlignedTo(Granularity.Minute));
    }
}
