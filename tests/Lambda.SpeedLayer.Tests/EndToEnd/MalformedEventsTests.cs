using System.Net;
using Lambda.SpeedLayer.Tests.Support;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.SpeedLayer.Tests.EndToEnd;

/// <summary>The speed-layer process on the real dev broker and ClickHouse: exact views, every reject in the dead-letter topic.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class MalformedEventsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Views_equal_the_oracle_for_200000_events_over_16_partitions_and_every_malformed_event_is_dead_lettered_with_its_reason()
    {
        await using var scenario = await SpeedLayerScenario.CreateAsync("speed-dlq", partitions: 16, output);
        var speed = scenario.StartInstance("speed");
        await speed.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        await scenario.ProduceAsync(0, 200_000, eventsPerSecond: 0, CancellationToken.None);
        await scenario.WaitUntilStoredAsync(TimeSpan.FromMinutes(2));

        await scenario.AssertViewsEqualOracleAsync();
        scenario.AssertDeadLetters(exactlyOnce: true);
        var malformed = scenario.Produced.Malformed.Count;
        Assert.InRange(malformed, 1_600, 2_400);
        await Eventually(async () => Assert.Equal(200_000, await speed.MetricAsync("lambda_speed_events_total")));
        Assert.Equal(malformed, await speed.MetricAsync("lambda_speed_dead_letters_total"));
        Assert.True(await speed.MetricAsync("lambda_speed_flushes_total", "view=\"by_country\"") >= 2);
        Assert.True(await speed.MetricAsync("lambda_speed_flush_latency_seconds_count") > 0);
        Assert.Contains("lambda_speed_consumer_lag{", await speed.GetAsync("metrics"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await speed.StatusAsync("healthz"));
        Assert.Equal(HttpStatusCode.OK, await speed.StatusAsync("readyz"));

        Assert.Equal(0, await speed.StopAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Speed layer stopped", speed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", speed.Output, StringComparison.Ordinal);
    }

    private static async Task Eventually(Func<Task> assertion)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
