using Lambda.Shared.Time;

namespace Lambda.Shared.Tests.Time;

public sealed class TimeBucketTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 10, 17, 42, 123, TimeSpan.Zero);

    [Theory]
    [InlineData(Granularity.Minute, "2026-11-25T10:17:00.000Z")]
    [InlineData(Granularity.Hour, "2026-11-25T10:00:00.000Z")]
    [InlineData(Granularity.Day, "2026-11-25T00:00:00.000Z")]
    public void Floor_aligns_to_utc_bucket_starts(Granularity granularity, string expected)
    {
        Assert.Equal(expected, TimeBucket.ToIso(TimeBucket.Floor(T.ToUnixTimeMilliseconds(), granularity)));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TimeBucket.Floor(T, granularity));
    }

    [Fact]
    public void Floor_ignores_the_offset_of_the_input()
    {
        var local = T.ToOffset(TimeSpan.FromHours(-5));

        Assert.Equal(TimeBucket.Floor(T, Granularity.Day), TimeBucket.Floor(local, Granularity.Day));
        Assert.Equal(TimeSpan.Zero, TimeBucket.Floor(local, Granularity.Day).Offset);
    }

    [Theory]
    [InlineData(-1L, -60_000L)]
    [InlineData(-60_000L, -60_000L)]
    [InlineData(-60_001L, -120_000L)]
    [InlineData(0L, 0L)]
    [InlineData(59_999L, 0L)]
    public void Floor_rounds_towards_minus_infinity(long ms, long expected)
    {
        Assert.Equal(expected, TimeBucket.Floor(ms, Granularity.Minute));
    }

    [Fact]
    public void Rolling_up_finer_buckets_equals_flooring_the_instant_at_the_coarser_granularity()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var ms = 946_684_800_000L + random.NextInt64(4_102_444_800_000L - 946_684_800_000L);
            var minute = TimeBucket.Floor(ms, Granularity.Minute);
            var hour = TimeBucket.Floor(ms, Granularity.Hour);

            Assert.Equal(hour, TimeBucket.RollUp(minute, Granularity.Minute, Granularity.Hour));
            Assert.Equal(TimeBucket.Floor(ms, Granularity.Day), TimeBucket.RollUp(hour, Granularity.Hour, Granularity.Day));
            Assert.Equal(minute, TimeBucket.RollUp(minute, Granularity.Minute, Granularity.Minute));
            Assert.True(TimeBucket.IsAligned(hour, Granularity.Minute));
        }
    }

    [Fact]
    public void Rolling_down_or_from_unaligned_starts_is_refused()
    {
        var hour = TimeBucket.Floor(T.ToUnixTimeMilliseconds(), Granularity.Hour);

        Assert.Contains("finer", Assert.Throws<ArgumentException>(() => TimeBucket.RollUp(hour, Granularity.Hour, Granularity.Minute)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TimeBucket.RollUp(hour + 1, Granularity.Minute, Granularity.Hour));
    }

    [Fact]
    public void Granularities_have_names_and_widths()
    {
        Assert.True(GranularityExtensions.TryParse("Hour", out var g));
        Assert.Equal(Granularity.Hour, g);
        Assert.False(GranularityExtensions.TryParse("week", out _));
        Assert.Equal("day", Granularity.Day.ToName());
        Assert.Equal(TimeSpan.FromMinutes(1), Granularity.Minute.ToTimeSpan());
        Assert.True(Granularity.Minute.CanRollUpTo(Granularity.Day));
        Assert.False(Granularity.Day.CanRollUpTo(Granularity.Hour));
    }
}
