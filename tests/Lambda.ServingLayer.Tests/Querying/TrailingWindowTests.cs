using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Tests.Querying;

public sealed class TrailingWindowTests
{
    [Fact]
    public void A_buckets_window_ends_with_its_end_and_a_range_reads_every_window_of_its_buckets()
    {
        Assert.True(TrailingWindow.TryCreate(TimeSpan.FromMinutes(5), Granularity.Minute, out var window, out _));

        Assert.Equal(5, window.Buckets);
        Assert.Equal(new TimeRange(Orders.At(6), Orders.At(11)), window.OfBucket(Orders.At(10)));
        Assert.Equal(new TimeRange(Orders.At(-4), Orders.At(60)), window.ReadRange(new TimeRange(Orders.At(0), Orders.At(60))));
        Assert.Throws<ArgumentException>(() => window.ReadRange(new TimeRange(Orders.At(0), Orders.At(0) + 1)));
    }

    [Fact]
    public void At_an_instant_the_window_ends_with_the_bucket_that_holds_it_as_alert_rules_measure()
    {
        Assert.True(TrailingWindow.TryCreate(TimeSpan.FromMinutes(5), Granularity.Minute, out var window, out _));

        Assert.Equal(new TimeRange(Orders.At(3), Orders.At(8)), window.EndingWithBucketOf(Orders.BaseTime.AddMinutes(7).AddSeconds(20)));
        Assert.Equal(new TimeRange(Orders.At(3), Orders.At(8)), window.EndingWithBucketOf(Orders.BaseTime.AddMinutes(7)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(90)]
    [InlineData(59)]
    public void Only_a_positive_whole_number_of_buckets_is_a_window(int seconds)
    {
        Assert.False(TrailingWindow.TryCreate(TimeSpan.FromSeconds(seconds), Granularity.Minute, out _, out var error));
        Assert.Contains("is not a positive whole number of minutes", error, StringComparison.Ordinal);
    }
}
