using Lambda.BatchLayer.Archive;

namespace Lambda.BatchLayer.Tests.Archive;

public sealed class ArchiverLagAssessmentTests
{
    [Theory]
    [InlineData(25_000L, 0.5, 12_500L)]
    [InlineData(25_000L, 0.3333, 8_332L)]
    [InlineData(3L, 0.1, 1L)]
    [InlineData(100L, 1.0, 100L)]
    public void The_limit_is_the_share_of_the_retained_messages_rounded_down_and_at_least_one(long retained, double share, long expected) =>
        Assert.Equal(expected, new ArchiverOptions { RetainedMessagesPerPartition = retained, MaxLagShareOfRetention = share }.MaxLag);

    [Fact]
    public void A_source_is_behind_when_one_partition_is_beyond_the_limit_not_at_it_and_not_by_its_total()
    {
        var assessment = ArchiverLagAssessment.Assess(
            [("orders", 0, 100), ("orders", 1, 100), ("orders", 2, 100), ("payments", 0, 60), ("payments", 7, 101)],
            ["orders", "payments", "page_views"],
            maxLag: 100);

        Assert.Equal(
            [new SourceLag("orders", 3, 0, 100, 0), new SourceLag("payments", 2, 7, 101, 1), new SourceLag("page_views", 0, -1, 0, 0)],
            assessment.Sources);
        Assert.True(assessment.AnyBehind);
        Assert.Equal(
            "source payments: 1 of 2 partitions more than 100 messages behind (partition 7: 101); ingest is refused until it catches up",
            assessment.Describe());
    }

    [Fact]
    public void Lags_of_sources_not_archived_here_are_ignored_and_no_lag_is_not_behind()
    {
        var assessment = ArchiverLagAssessment.Assess([("sensor_readings", 0, 1_000_000)], ["orders"], maxLag: 10);

        Assert.False(assessment.AnyBehind);
        Assert.Equal("every archived partition is at most 10 messages behind", assessment.Describe());
    }
}
