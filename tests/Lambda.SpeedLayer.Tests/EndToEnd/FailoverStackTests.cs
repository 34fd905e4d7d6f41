using System.Diagnostics;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Tests.Support;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.SpeedLayer.Tests.EndToEnd;

/// <summary>
/// Failover between two speed-layer instances of one group: a SIGKILLed one's partitions move to the survivor within
/// the session timeout, and a stalled one (SIGSTOP until its partitions moved, then SIGCONT) is fenced off: its late
/// flushes are in the table but no reader counts them (docs/design-notes.md, "Speed-layer failover and fencing").
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class FailoverStackTests(ITestOutputHelper output)
{
    private const int Partitions = 16;

    /// <summary>The scenario's session timeout (SpeedLayer:SessionTimeout = 6 s): the group notices a silent member after it.</summary>
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(6);

    /// <summary>What the takeover may take beyond the session timeout: the broker's session check and one rebalance (15.6 s in all was measured on a loaded 2-core machine).</summary>
    private static readonly TimeSpan RebalanceAllowance = TimeSpan.FromSeconds(20);

    private static readonly Dictionary<string, string> Fenced = new() { ["SpeedLayer__Fencing"] = "true" };

    [Fact]
    public async Task The_survivor_of_a_SIGKILL_owns_every_partition_within_the_session_timeout_and_the_views_equal_the_oracle()
    {
        await using var scenario = await SpeedLayerScenario.CreateAsync("speed-failover", Partitions, output, seed: 11);
        var survivor = scenario.StartInstance("speed-a", Fenced);
        var victim = scenario.StartInstance("speed-b", Fenced);
        await Task.WhenAll(survivor.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), victim.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)));
        await BothOwnPartitionsAsync(survivor, victim);

        // On its own thread: a producer behind its pace (a loaded machine) never awaits.
        var producing = Task.Run(() => scenario.ProduceAsync(0, 120_000, eventsPerSecond: 8_000, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(4));
        await victim.KillAsync();
        var killed = Stopwatch.GetTimestamp();
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} SIGKILL {victim.Name}, {scenario.Produced.Count} events produced so far");
        await OwnsAllAsync(survivor, TimeSpan.FromSeconds(60));
        var takeover = Stopwatch.GetElapsedTime(killed);
        output.WriteLine($"{survivor.Name} owned all {Partitions} partitions {takeover.TotalSeconds:0.0} s after the SIGKILL (session timeout {SessionTimeout.TotalSeconds:0} s)");
        // The bound: the group notices the silent member after the session timeout (the dev broker checks sessions every few
        // seconds), then one rebalance (join, sync, the survivor's flush of what it owned, tokens, resume read, fences).
        Assert.True(takeover <= SessionTimeout + RebalanceAllowance, $"the takeover took {takeover.TotalSeconds:0.0} s");

        await producing;
        await scenario.WaitUntilStoredAsync(TimeSpan.FromMinutes(2));
        await scenario.AssertViewsEqualOracleAsync();
        Assert.Equal(0, await survivor.StopAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_stalled_instance_that_lost_its_partitions_cannot_add_its_late_flushes_to_the_views()
    {
        await using var scenario = await SpeedLayerScenario.CreateAsync("speed-fence", Partitions, output, seed: 13);
        // The stalled one talks to ClickHouse through a proxy the test holds, so that it freezes in the middle of an insert
        // (its ownership check passed), and it writes without the verify-before-insert read: only the fences stand between
        // its late flush and the views.
        await using var proxy = new HoldingTcpProxy(
            scenario.Database.Url,
            head => head.Contains("INSERT", StringComparison.OrdinalIgnoreCase) && !head.Contains("speed_fences", StringComparison.Ordinal));
        var stalled = scenario.StartInstance("speed-stalled", new Dictionary<string, string>
        {
            ["ClickHouse__Url"] = proxy.Url.AbsoluteUri,
            ["ClickHouse__RequestTimeout"] = "00:02:00",
            ["SpeedLayer__VerifyBeforeInsert"] = "false",
            ["SpeedLayer__Fencing"] = "true",
        });
        var other = scenario.StartInstance("speed-other", Fenced);
        await Task.WhenAll(stalled.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), other.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)));
        await BothOwnPartitionsAsync(stalled, other);

        var producing = Task.Run(() => scenario.ProduceAsync(0, 150_000, eventsPerSecond: 6_000, CancellationToken.None));
        // Held once it consumes, so that what is held is a flush of its assignment, not the assignment itself.
        await Eventually(async () => await stalled.MetricAsync("lambda_speed_events_total") > 0, $"{stalled.Name} to consume", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        proxy.Hold();
        await Eventually(() => Task.FromResult(proxy.HeldRequests > 0), "an insert of the stalled instance", TimeSpan.FromSeconds(30));
        await stalled.SignalAsync("STOP");
        var stopped = Stopwatch.GetTimestamp();
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} SIGSTOP {stalled.Name} in the middle of an insert, {scenario.Produced.Count} events produced so far");
        await OwnsAllAsync(other, TimeSpan.FromSeconds(60));
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {other.Name} owns every partition, {Stopwatch.GetElapsedTime(stopped).TotalSeconds:0.0} s after the SIGSTOP");
        // The new owner flushes over the range the stalled one's insert covers, then the stalled one wakes up and its insert lands.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stalled.SignalAsync("CONT");
        proxy.Release();
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} SIGCONT {stalled.Name}; its held insert goes on");

        await producing;
        await scenario.WaitUntilStoredAsync(TimeSpan.FromMinutes(2));
        var stale = await FencedOffRowsAsync(scenario);
        output.WriteLine($"{stale} rows in the speed tables are fenced off");
        Assert.True(stale > 0, $"the stalled instance's late insert is not in the table:\n{stalled.Tail(40)}");

        // Per view with a count: the oracle, the views read with the fences, and every stored row summed as a reader
        // without fencing would (the held flush belongs to whichever view was inserting when the connection was held).
        var doubled = false;
        foreach (var view in scenario.Catalog.Views.Where(v => v.Measures.Any(m => m.Kind == Lambda.Shared.Measures.MeasureKind.Count)))
        {
            var count = view.Measures.First(m => m.Kind == Lambda.Shared.Measures.MeasureKind.Count);
            var oracle = scenario.Produced.Oracles[view.Name].Groups.Sum(g => g.Measures[count.Index].Count);
            var fenced = (await SpeedTableContents.ReadGroupsAsync(scenario.Database.Client, view)).Sum(g => g.GetValue(count.Index).AsLong());
            var unfenced = await scenario.Database.Client.QueryScalarAsync<ulong>(
                $"SELECT sum({ClickHouseSql.QuoteIdentifier(count.Name)}) FROM {ClickHouseSql.QualifiedName(scenario.Database.Name, SpeedTableSchema.TableNameOf(view))} WHERE `kind` = 0",
                CancellationToken.None);
            output.WriteLine($"view {view.Name}, {count.Name}: oracle {oracle}; read with the fences {fenced}; every stored row, as a reader without fencing would count {unfenced}");
            Assert.Equal(oracle, fenced);
            doubled |= (long)unfenced > oracle;
        }

        Assert.True(doubled, "without fencing the late flush would count too in some view");
        await scenario.AssertViewsEqualOracleAsync();
        Assert.Equal(0, await other.StopAsync(TimeSpan.FromSeconds(60)));
    }

    private static async Task BothOwnPartitionsAsync(SpeedLayerProcess first, SpeedLayerProcess second) =>
        await Eventually(
            async () => await first.MetricAsync("lambda_speed_assigned_partitions") > 0 && await second.MetricAsync("lambda_speed_assigned_partitions") > 0
                && await first.MetricAsync("lambda_speed_assigned_partitions") + await second.MetricAsync("lambda_speed_assigned_partitions") == Partitions,
            "both instances to share the partitions",
            TimeSpan.FromSeconds(60));

    private static Task OwnsAllAsync(SpeedLayerProcess instance, TimeSpan timeout) =>
        Eventually(async () => await instance.MetricAsync("lambda_speed_assigned_partitions") == Partitions, $"{instance.Name} to own every partition", timeout);

    private static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"timed out after {timeout.TotalSeconds:0} s waiting for {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>Rows of every view that the fences leave out, counted by the test from the fences and rows it reads (the rule's C# form).</summary>
    private static async Task<long> FencedOffRowsAsync(SpeedLayerScenario scenario)
    {
        var client = scenario.Database.Client;
        long total = 0;
        foreach (var view in scenario.Catalog.Views)
        {
            var schema = SpeedTableSchema.For(view);
            var fences = await SpeedFences.ReadAsync(client, schema, CancellationToken.None);
            var rows = await client.QueryRowsAsync(
                $"SELECT `partition`, `fencing_token`, `last_offset` FROM {ClickHouseSql.QualifiedName(client.Database, schema.TableName)}", null, CancellationToken.None);
            total += rows.Count(r => !fences.Counts((int)r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)));
        }

        return total;
    }
}
