using System.Text;
using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>
/// The chunk executor and worker over flush files that touch several days: a chunk's day file does not depend on the days
/// and views claimed with it, and a worker that loses the lease of a multi-day claim records none of it.
/// </summary>
public sealed class ChunkExecutorTests : IDisposable
{
    private const int Partitions = 4;
    private const string Revenue = "revenue_by_country";
    private const string ByStatus = "orders_by_status";
    private static readonly DateOnly D0 = DateOnly.FromDateTime(OrderEvents.Start.UtcDateTime);

    private readonly TestDirectory _root = new("chunks");
    private readonly LambdaCatalog _catalog = TestCatalogs.Default;

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Each_day_file_has_the_same_bytes_whether_its_chunk_ran_alone_or_with_other_days_and_views()
    {
        var ends = await ArchiveAsync();
        // The views on different days, so that one claim holds a day of one view only.
        RecomputeChunk[] chunks =
        [
            new(0, Revenue, "orders", D0), new(1, ByStatus, "orders", D0.AddDays(1)), new(2, Revenue, "orders", D0.AddDays(1)),
            new(3, Revenue, "orders", D0.AddDays(2)), new(4, ByStatus, "orders", D0.AddDays(2)),
        ];
        var alone = Spec("20261126T020000000Z-aaaaaaaa", ends);
        var together = Spec("20261126T020000000Z-bbbbbbbb", ends);
        var mixed = Spec("20261126T020000000Z-cccccccc", ends);
        var executor = Executor(TimeSpan.Zero);

        var one = new List<ChunkOutcome>();
        foreach (var chunk in chunks)
        {
            one.AddRange(await executor.RunAsync(alone, [chunk], CancellationToken.None));
        }

        var all = await executor.RunAsync(together, chunks, CancellationToken.None);
        var pairs = (await executor.RunAsync(mixed, [chunks[0], chunks[3]], CancellationToken.None))
            .Concat(await executor.RunAsync(mixed, [chunks[1], chunks[2], chunks[4]], CancellationToken.None))
            .OrderBy(o => o.Number)
            .ToArray();

        Assert.Equal(chunks.Select(c => c.Number), all.Select(o => o.Number));
        foreach (var (spec, outcomes) in new[] { (together, all), (mixed, (IReadOnlyList<ChunkOutcome>)pairs) })
        {
            for (var i = 0; i < chunks.Length; i++)
            {
                Assert.True(one[i].Rows > 0, $"chunk {i} wrote no rows");
                Assert.Equal(one[i].Rows, outcomes[i].Rows);
                var expected = PublishedRunComparison.SwapRunId(
                    File.ReadAllBytes(BatchViewLayout.Resolve(_root.Path, one[i].File!)), Encoding.ASCII.GetBytes(alone.RunId), Encoding.ASCII.GetBytes(spec.RunId));
                Assert.Equal(expected, File.ReadAllBytes(BatchViewLayout.Resolve(_root.Path, outcomes[i].File!)));
            }
        }
    }

    [Fact]
    public async Task A_worker_that_loses_the_lease_of_part_of_a_multi_day_claim_records_none_of_it_and_the_rest_is_claimable()
    {
        var ends = await ArchiveAsync();
        var spec = Spec("20261126T020000000Z-dddddddd", ends);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero));
        var store = new InMemoryRecomputeChunkStore(time);
        RecomputeChunk[] chunks = [new(0, Revenue, "orders", D0), new(1, Revenue, "orders", D0.AddDays(1)), new(2, Revenue, "orders", D0.AddDays(2))];
        await store.CreateRunAsync(spec, chunks, "coordinator/1", CancellationToken.None);
        // Renewals every 100 ms of real time, the chunk held for 30 s of it: the lease runs out on the store's clock meanwhile.
        var options = Options.Create(new RecomputeOptions { DaysPerClaim = 3, ChunkLease = TimeSpan.FromMilliseconds(300), ChunkDelay = TimeSpan.FromSeconds(30) });
        var worker = new ChunkWorker(store, Executor(options.Value.ChunkDelay), options, TimeProvider.System, NullLogger<ChunkWorker>.Instance);

        var running = worker.RunAsync(spec, null, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        IReadOnlyList<RecomputeChunk> stolen;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker never claimed the chunks");
            await Task.Delay(20);
            time.Advance(TimeSpan.FromSeconds(1));
            stolen = await store.TryClaimAsync(spec.RunId, 1, "thief/2", TimeSpan.FromHours(1), 1, CancellationToken.None);
        }
        while (stolen.Count == 0);

        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(20));
        var rest = await store.TryClaimAsync(spec.RunId, null, "other/3", TimeSpan.FromHours(1), 3, CancellationToken.None);

        Assert.Null(outcome);
        Assert.Equal([1], stolen.Select(c => c.Number));
        Assert.Equal([0, 2], rest.Select(c => c.Number));
        Assert.Equal(0, (await store.GetStatusAsync(spec.RunId, CancellationToken.None)).Done);
        Assert.False(Directory.Exists(BatchViewLayout.ViewsDirectory(_root.Path)) && Directory.EnumerateFiles(BatchViewLayout.ViewsDirectory(_root.Path), "*.parquet", SearchOption.AllDirectories).Any());
    }

    // Flush files of 1,500 offsets per partition over three days (and the late events of the generator), so most files touch two or more days.
    private async Task<IReadOnlyDictionary<int, long>> ArchiveAsync()
    {
        var messages = OrderDatasets.Messages(_catalog.GetSource("orders"), 16_000, Partitions, seed: 5);
        await OrderDatasets.WriteAsync(_root.Path, _catalog.GetSource("orders"), messages, perCommit: 1_500);
        var snapshot = MasterDatasetSnapshot.Load(_root.Path, "orders");
        Assert.Contains(snapshot.Files, f => f.EventDays.Count >= 2);
        return snapshot.CommittedEnds;
    }

    // Watermarks inside files (steps of 700 and 1,100 offsets), so rows are taken by offset too, and one partition left out of a view.
    private ChunkRunSpec Spec(string runId, IReadOnlyDictionary<int, long> ends) => new(
        runId,
        [
            new ChunkViewSpec(Revenue, _catalog.GetView(Revenue).DefinitionHash, ends.ToDictionary(e => e.Key, e => e.Value / 700 * 700)),
            new ChunkViewSpec(ByStatus, _catalog.GetView(ByStatus).DefinitionHash, ends.Where(e => e.Key != 3).ToDictionary(e => e.Key, e => e.Value / 1_100 * 1_100)),
        ],
        new Dictionary<string, long>(StringComparer.Ordinal));

    private ChunkExecutor Executor(TimeSpan delay) => new(
        _catalog,
        Options.Create(new BatchStorageOptions { DatasetRoot = _root.Path }),
        Options.Create(new RecomputeOptions { MaxDegreeOfParallelism = 3, ChunkDelay = delay }),
        new BatchViewWriter(),
        new FileLookupStore(_root.Path, TimeProvider.System));
}
