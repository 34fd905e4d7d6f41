using Lambda.SpeedLayer.Tests.Support;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.SpeedLayer.Tests.EndToEnd;

/// <summary>Two speed-layer processes in one consumer group share the partitions; the views stay exact.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class TwoInstancesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_instances_in_one_group_share_the_partitions_and_the_views_equal_the_oracle()
    {
        await using var scenario = await SpeedLayerScenario.CreateAsync("speed-pair", partitions: 32, output, seed: 5);
        var first = scenario.StartInstance("speed-a");
        await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        // On its own thread: a producer behind its pace (a loaded machine) never awaits, and the second instance would
        // only start once everything was produced and consumed.
        var producing = Task.Run(() => scenario.ProduceAsync(0, 200_000, eventsPerSecond: 12_000, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var second = scenario.StartInstance("speed-b");
        await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        await producing;
        await scenario.WaitUntilStoredAsync(TimeSpan.FromMinutes(2));

        await scenario.AssertViewsEqualOracleAsync();
        scenario.AssertDeadLetters(exactlyOnce: false);
        var assignedA = await first.MetricAsync("lambda_speed_assigned_partitions");
        var assignedB = await second.MetricAsync("lambda_speed_assigned_partitions");
        output.WriteLine($"partitions: a {assignedA}, b {assignedB}");
        Assert.True(assignedA > 0 && assignedB > 0, $"both instances must own partitions (a {assignedA}, b {assignedB})");
        Assert.Equal(32, assignedA + assignedB);
        Assert.True(await second.MetricAsync("lambda_speed_events_total") > 0);
        Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(60)));
    }
}
