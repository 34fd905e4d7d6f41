using Lambda.SpeedLayer.Tests.Support;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.SpeedLayer.Tests.EndToEnd;

/// <summary>SIGKILL at random moments while events flow: after restarts the views are still exact.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class KillRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Views_equal_the_oracle_after_five_SIGKILLs_and_restarts_while_500000_events_flow()
    {
        await using var scenario = await SpeedLayerScenario.CreateAsync("speed-kill", partitions: 64, output, seed: 7);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"kill moments from seed {seed}");
        var speed = scenario.StartInstance("speed-0");
        await speed.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var producing = scenario.ProduceAsync(0, 500_000, eventsPerSecond: 9_000, CancellationToken.None);
        for (var kill = 1; kill <= 5; kill++)
        {
            // Each kill hits an instance that consumes and flushes (a killed member's partitions come back
            // only after its session times out, so the next instance waits for that first).
            await speed.WaitUntilAssignedAsync(TimeSpan.FromSeconds(60));
            var delay = TimeSpan.FromMilliseconds(random.Next(200, 3_000));
            await Task.Delay(delay);
            Assert.False(speed.HasExited, $"{speed.Name} exited by itself:\n{speed.Tail()}");
            await speed.KillAsync();
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} SIGKILL {speed.Name} {delay.TotalSeconds:0.0} s after its assignment, {scenario.Produced.Count} events produced so far");
            speed = scenario.StartInstance($"speed-{kill}");
        }

        await producing;
        await scenario.WaitUntilStoredAsync(TimeSpan.FromMinutes(3));

        await scenario.AssertViewsEqualOracleAsync();
        scenario.AssertDeadLetters(exactlyOnce: false);
        Assert.Equal(0, await speed.StopAsync(TimeSpan.FromSeconds(60)));
    }
}
