using Lambda.ServingLayer.Pipeline;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Tests.Pipeline;

public sealed class PipelineHealthHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Samples_older_than_the_history_before_the_newest_are_dropped()
    {
        var history = History(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15));

        // Every 15 s for 90 s: the newest (90 s) keeps what is at most 60 s older, 30 s onwards.
        foreach (var seconds in new[] { 0, 15, 30, 45, 60, 75, 90 })
        {
            history.Add("orders", Sample(seconds));
        }

        Assert.Equal([30, 45, 60, 75, 90], history.SamplesOf("orders").Select(s => (int)(s.Time - T0).TotalSeconds));
        Assert.Empty(history.SamplesOf("payments"));
    }

    [Fact]
    public void Never_more_samples_than_the_history_holds_at_the_interval_however_fast_they_come()
    {
        var history = History(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15));

        // 60 s / 15 s + 1 = 5 samples at most, even when they come every second.
        for (var seconds = 0; seconds < 10; seconds++)
        {
            history.Add("orders", Sample(seconds));
        }

        Assert.Equal([5, 6, 7, 8, 9], history.SamplesOf("orders").Select(s => (int)(s.Time - T0).TotalSeconds));
    }

    private static PipelineHealthHistory History(TimeSpan history, TimeSpan interval) =>
        new(Options.Create(new PipelineHealthOptions { History = history, SampleInterval = interval }));

    private static PipelineSample Sample(int seconds) => new(T0.AddSeconds(seconds), seconds, seconds, seconds, TimeSpan.FromSeconds(seconds));
}
