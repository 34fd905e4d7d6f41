using Lambda.Testing;
using System.Diagnostics;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Tests.Archive;
using Lambda.Shared.Catalog;
using Xunit.Abstractions;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>
/// Compaction as a real process, SIGKILLed at random moments and restarted, while this process keeps
/// loading snapshots beside it: every snapshot at every moment must show the same committed ends and rows.
/// </summary>
public sealed class CompactionKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Partitions = 8;
    private const int Kills = 6;
    private readonly TestDirectory _root = new("compaction-kill");
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_compaction_killed_at_random_moments_never_changes_what_readers_see()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        // Events over a tenth of the generator's days: consecutive commits share hours, so files are merged.
        await OrderDatasets.WriteAsync(_root.Path, _orders, OrderDatasets.Messages(_orders, 48_000, Partitions, seed: 41, total: 480_000), perCommit: 50);
        var expected = await DatasetContents.ReadAsync(_root.Path, _orders);
        var log = new CommitLog(_root.Path, _orders.Name);
        var resume = Enumerable.Range(0, Partitions).ToDictionary(p => p, log.GetResumeOffset);
        var random = new Random(41);
        var snapshots = 0;

        for (var kill = 0; kill <= Kills; kill++)
        {
            await using var child = ArchiverProcess.StartChild(["compact", _root.Path, "1000000"]);
            while (!child.Output.Contains("compaction started", StringComparison.Ordinal) && !child.HasExited)
            {
                await Task.Delay(10, cts.Token);
            }

            var delay = kill < Kills ? random.Next(200, 3_000) : int.MaxValue;
            var clock = Stopwatch.StartNew();
            while (!child.HasExited && clock.ElapsedMilliseconds < delay)
            {
                AssertSnapshot(expected, $"while compaction run {kill + 1} runs");
                snapshots++;
            }

            if (kill < Kills)
            {
                await child.KillAsync();
            }
            else
            {
                await child.WaitForExitAsync(cts.Token);
                Assert.True(child.ExitCode == 0, child.Output);
            }

            var files = MasterDatasetSnapshot.Load(_root.Path, _orders.Name).Files.Count;
            output.WriteLine($"run {kill + 1}: {(kill < Kills ? $"killed after {clock.ElapsedMilliseconds} ms" : "ran to the end")}, {files} files in the snapshot");
            (await DatasetContents.ReadAsync(_root.Path, _orders)).AssertSameAs(expected, $"after compaction run {kill + 1}");
            Assert.Equal(resume, Enumerable.Range(0, Partitions).ToDictionary(p => p, log.GetResumeOffset));
        }

        var final = await DatasetContents.ReadAsync(_root.Path, _orders);
        output.WriteLine($"{snapshots} snapshots checked while compactions ran; files {expected.Files} -> {final.Files}");
        Assert.Equal(Partitions, log.ReadCommits().Count);
        Assert.True(final.Files * 4 < expected.Files, $"{expected.Files} files before, {final.Files} after");
        Assert.Empty(Directory.GetFiles(_root.Path, "*" + MasterDatasetLayout.CompactingSuffix, SearchOption.AllDirectories));
        Assert.True(snapshots > 0);
    }

    private void AssertSnapshot(DatasetContents expected, string when)
    {
        var snapshot = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);
        Assert.True(expected.Rows.Count == snapshot.Rows, $"{when}: {snapshot.Rows} rows, expected {expected.Rows.Count}");
        Assert.Equal(expected.Ends, snapshot.CommittedEnds.ToDictionary());
        foreach (var partition in snapshot.Files.GroupBy(f => f.Partition))
        {
            var rowsByPartition = partition.Sum(f => f.Rows);
            Assert.True(expected.CountsByPartition[partition.Key] == rowsByPartition, $"{when}: partition {partition.Key} has {rowsByPartition} rows");
        }
    }
}
