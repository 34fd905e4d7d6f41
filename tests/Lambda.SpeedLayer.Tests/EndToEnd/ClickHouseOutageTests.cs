using System.Net;
using Lambda.SpeedLayer.Tests.Support;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.SpeedLayer.Tests.EndToEnd;

/// <summary>ClickHouse (a private server, not the shared stack's) stopped for 10 s mid-stream: retries with backoff, views exact.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ClickHouseOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Views_equal_the_oracle_after_ClickHouse_is_down_for_ten_seconds_mid_stream()
    {
        await using var clickHouse = await PrivateClickHouseServer.StartAsync();
        await using var scenario = await SpeedLayerScenario.CreateAsync("speed-outage", partitions: 16, output, clickHouse.Url, seed: 3);
        var speed = scenario.StartInstance("speed");
        await speed.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var producing = scenario.ProduceAsync(0, 200_000, eventsPerSecond: 10_000, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.True(await speed.MetricAsync("lambda_speed_flushes_total") > 0);
        await clickHouse.KillAsync();
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} ClickHouse killed, {scenario.Produced.Count} events produced so far");
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await speed.StatusAsync("readyz"));
        Assert.Equal(HttpStatusCode.OK, await speed.StatusAsync("healthz"));
        await Task.Delay(TimeSpan.FromSeconds(5));
        await clickHouse.StartAgainAsync();
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} ClickHouse started again");

        await producing;
        await scenario.WaitUntilStoredAsync(TimeSpan.FromMinutes(2));

        await scenario.AssertViewsEqualOracleAsync();
        scenario.AssertDeadLetters(exactlyOnce: true);
        Assert.True(await speed.MetricAsync("lambda_speed_insert_retries_total") > 0);
        Assert.Contains("insert failed transiently", speed.Output, StringComparison.Ordinal);
        Assert.False(speed.HasExited);
        Assert.Equal(0, await speed.StopAsync(TimeSpan.FromSeconds(60)));
    }
}
