using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Tests.Status;
using Lambda.Shared.BatchViews;
using Lambda.Testing;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>The chunk store of distributed recomputes in a real PostgreSQL: claims, leases on the database clock, datasets.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresRecomputeChunkStoreTests : IAsyncLifetime
{
    private static readonly DateOnly D1 = new(2026, 11, 24);
    private static readonly DateOnly D2 = new(2026, 11, 25);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly PostgresTestDatabase _postgres = new();
    private readonly RecomputeChunk[] _chunks =
    [
        new(0, "revenue_by_country", "orders", D1), new(1, "orders_by_status", "orders", D1), new(2, "payments_by_method", "payments", D1),
        new(3, "revenue_by_country", "orders", D2),
    ];

    private BatchDatabase _database = null!;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _database = new BatchDatabase(_postgres.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Two_workers_claim_disjoint_groups_and_the_spec_round_trips()
    {
        var store = Store("/data/a");
        var spec = Spec("run-a");
        await store.CreateRunAsync(spec, _chunks, "coordinator/1", CancellationToken.None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(w => store.TryClaimAsync("run-a", null, $"w{w}", Lease, 1, CancellationToken.None)));
        var stored = await store.GetRunningSpecAsync("run-a", CancellationToken.None);

        var numbers = claims.SelectMany(c => c.Select(x => x.Number)).Order().ToArray();
        Assert.Equal([0, 1, 2, 3], numbers);
        Assert.Contains(claims, c => c.Select(x => x.Number).SequenceEqual([0, 1]));
        Assert.NotNull(stored);
        Assert.Equal(spec.RunId, stored.RunId);
        Assert.Equal(spec.Lookups, stored.Lookups);
        Assert.Equal(spec.Views.Single().Watermarks, stored.Views.Single().Watermarks);
        Assert.Equal(spec.Views.Single().DefinitionHash, stored.Views.Single().DefinitionHash);
    }

    [Fact]
    public async Task An_expired_lease_lets_another_worker_take_the_chunk_and_only_the_new_holder_completes_it()
    {
        var store = Store("/data/a");
        await store.CreateRunAsync(Spec("run-b"), _chunks, "coordinator/1", CancellationToken.None);
        Assert.Equal([3], (await store.TryClaimAsync("run-b", 3, "dead/7", TimeSpan.FromSeconds(1), 1, CancellationToken.None)).Select(c => c.Number));
        Assert.Empty(await store.TryClaimAsync("run-b", 3, "alive/8", Lease, 1, CancellationToken.None));

        // The lease runs out on the database's clock: poll until the claim succeeds.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await store.TryClaimAsync("run-b", 3, "alive/8", Lease, 1, CancellationToken.None)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the 1 s lease of the dead worker never ran out");
            await Task.Delay(100);
        }

        Assert.False(await store.RenewAsync("run-b", [3], "dead/7", Lease, CancellationToken.None));
        Assert.False(await store.CompleteAsync("run-b", [new ChunkOutcome(3, 1, "late", 1)], "dead/7", CancellationToken.None));
        Assert.True(await store.RenewAsync("run-b", [3], "alive/8", Lease, CancellationToken.None));
        Assert.True(await store.CompleteAsync("run-b", [new ChunkOutcome(3, 9, "views/x.parquet", 99)], "alive/8", CancellationToken.None));
        var status = await store.GetStatusAsync("run-b", CancellationToken.None);
        Assert.Equal(new ChunkOutcome(3, 9, "views/x.parquet", 99), status.Outcomes.Single());
        Assert.Equal(new Dictionary<string, int> { ["alive/8"] = 1 }, status.DoneByWorker);
        Assert.Equal(2L, await _postgres.ScalarAsync<long>("SELECT claims::bigint FROM recompute_chunks WHERE run_id = 'run-b' AND number = 3"));
    }

    [Fact]
    public async Task Completing_several_chunks_is_all_or_nothing_and_a_released_chunk_is_claimable_at_once()
    {
        var store = Store("/data/a");
        await store.CreateRunAsync(Spec("run-c"), _chunks, "coordinator/1", CancellationToken.None);
        var group = await store.TryClaimAsync("run-c", 1, "w1", Lease, 1, CancellationToken.None);
        Assert.Equal([0, 1], group.Select(c => c.Number));
        Assert.Equal([2], (await store.TryClaimAsync("run-c", 2, "w2", Lease, 1, CancellationToken.None)).Select(c => c.Number));

        // w1 does not hold chunk 2: nothing of this completion is recorded.
        Assert.False(await store.CompleteAsync("run-c", [new ChunkOutcome(0, 1, "a", 1), new ChunkOutcome(2, 1, "b", 1)], "w1", CancellationToken.None));
        Assert.Equal(0, (await store.GetStatusAsync("run-c", CancellationToken.None)).Done);
        await store.ReleaseAsync("run-c", [2], "w2", CancellationToken.None);
        Assert.Equal([2], (await store.TryClaimAsync("run-c", null, "w3", Lease, 1, CancellationToken.None)).Select(c => c.Number));
        Assert.True(await store.CompleteAsync("run-c", [new ChunkOutcome(0, 1, "a", 5), new ChunkOutcome(1, 0, null, 0)], "w1", CancellationToken.None));

        var status = await store.GetStatusAsync("run-c", CancellationToken.None);
        Assert.Equal((4, 2, 5L), (status.Total, status.Done, status.RowsRead));
        Assert.Null(status.Outcomes.Single(o => o.Number == 1).File);
    }

    [Fact]
    public async Task A_new_run_abandons_the_running_run_of_its_dataset_only_and_a_failure_is_reported()
    {
        var a = Store("/data/a");
        var b = Store("/data/b");
        await a.CreateRunAsync(Spec("run-d1"), _chunks, "coordinator/1", CancellationToken.None);
        await b.CreateRunAsync(Spec("run-other"), _chunks, "coordinator/2", CancellationToken.None);
        Assert.Null(await b.GetRunningSpecAsync("run-d1", CancellationToken.None));
        Assert.Empty(await b.TryClaimAsync("run-d1", null, "w", Lease, 1, CancellationToken.None));

        await a.CreateRunAsync(Spec("run-d2"), _chunks, "coordinator/1", CancellationToken.None);

        Assert.Null(await a.GetRunningSpecAsync("run-d1", CancellationToken.None));
        Assert.Empty(await a.TryClaimAsync("run-d1", null, "w", Lease, 1, CancellationToken.None));
        Assert.NotNull(await b.GetRunningSpecAsync("run-other", CancellationToken.None));
        var claimed = await a.TryClaimAsync("run-d2", null, "w", Lease, 1, CancellationToken.None);
        await a.FailAsync("run-d2", claimed.Select(c => c.Number).ToArray(), "w", "InvalidDataException: bad file", CancellationToken.None);
        Assert.Equal("chunk 0 (revenue_by_country, 2026-11-24) on w: InvalidDataException: bad file", (await a.GetStatusAsync("run-d2", CancellationToken.None)).Failure);
        await a.FinishRunAsync("run-d2", published: false, CancellationToken.None);
        Assert.Empty(await a.TryClaimAsync("run-d2", null, "w", Lease, 1, CancellationToken.None));
        Assert.Equal("failed", await _postgres.ScalarAsync<string>("SELECT state FROM recompute_chunk_runs WHERE run_id = 'run-d2'"));
        Assert.Equal("abandoned", await _postgres.ScalarAsync<string>("SELECT state FROM recompute_chunk_runs WHERE run_id = 'run-d1'"));
    }

    [Fact]
    public async Task A_claim_of_several_days_takes_one_source_on_the_next_claimable_days_and_concurrent_workers_get_disjoint_claims()
    {
        var store = Store("/data/a");
        await store.CreateRunAsync(Spec("run-e"), MultiDay, "coordinator/1", CancellationToken.None);

        var asked = await store.TryClaimAsync("run-e", 4, "w0", Lease, 2, CancellationToken.None);
        var claims = await Task.WhenAll(Enumerable.Range(1, 4).Select(w => store.TryClaimAsync("run-e", null, $"w{w}", Lease, 3, CancellationToken.None)));

        Assert.Equal([3, 4, 5], asked.Select(c => c.Number));
        var numbers = claims.SelectMany(c => c.Select(x => x.Number)).Order().ToArray();
        Assert.Equal([0, 1, 2, 6, 7], numbers);
        Assert.All(claims, c => Assert.True(c.Select(x => x.Source).Distinct().Count() <= 1, "a claim mixes sources"));
        Assert.All(claims, c => Assert.True(c.Select(x => x.Day).Distinct().Count() <= 3, "a claim holds more than 3 days"));
        Assert.True(claims.Count(c => c.Count > 0) >= 2, "one worker took everything");
    }

    [Fact]
    public async Task A_multi_day_claim_whose_lease_ran_out_on_the_database_clock_is_taken_over_and_its_first_holder_records_nothing()
    {
        var store = Store("/data/a");
        await store.CreateRunAsync(Spec("run-f"), MultiDay, "coordinator/1", CancellationToken.None);
        var mine = (await store.TryClaimAsync("run-f", null, "dead/7", TimeSpan.FromSeconds(1), 3, CancellationToken.None)).Select(c => c.Number).ToArray();
        Assert.Equal([0, 1, 3, 4, 5], mine);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<RecomputeChunk> later;
        while ((later = await store.TryClaimAsync("run-f", 3, "alive/8", Lease, 1, CancellationToken.None)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the 1 s lease of the dead worker never ran out");
            await Task.Delay(100);
        }

        var rest = await store.TryClaimAsync("run-f", null, "alive/9", Lease, 8, CancellationToken.None);
        Assert.Equal([3, 4], later.Select(c => c.Number));
        Assert.Equal([0, 1, 5, 7], rest.Select(c => c.Number));
        Assert.False(await store.RenewAsync("run-f", mine, "dead/7", Lease, CancellationToken.None));
        Assert.False(await store.CompleteAsync("run-f", mine.Select(n => new ChunkOutcome(n, 1, $"late{n}", 1)).ToArray(), "dead/7", CancellationToken.None));
        Assert.True(await store.CompleteAsync("run-f", [new ChunkOutcome(3, 2, "f3", 5), new ChunkOutcome(4, 0, null, 0)], "alive/8", CancellationToken.None));
        var status = await store.GetStatusAsync("run-f", CancellationToken.None);
        Assert.Equal(new Dictionary<string, int> { ["alive/8"] = 2 }, status.DoneByWorker);
        Assert.Equal(2L, await _postgres.ScalarAsync<long>("SELECT claims::bigint FROM recompute_chunks WHERE run_id = 'run-f' AND number = 3"));
    }

    [Fact]
    public async Task A_running_run_with_the_same_inputs_and_chunks_is_adopted_with_its_finished_chunks_and_its_dead_coordinators_chunks_released()
    {
        var store = Store("/data/a");
        await store.CreateRunAsync(Spec("run-dead"), _chunks, "coordinator/1", CancellationToken.None);
        Assert.Equal([0, 1], (await store.TryClaimAsync("run-dead", 0, "coordinator/1", Lease, 1, CancellationToken.None)).Select(c => c.Number));
        Assert.True(await store.CompleteAsync("run-dead", [new ChunkOutcome(0, 5, "views/a/day.parquet", 50), new ChunkOutcome(1, 6, null, 50)], "coordinator/1", CancellationToken.None));
        Assert.Equal([2], (await store.TryClaimAsync("run-dead", 2, "coordinator/1", Lease, 1, CancellationToken.None)).Select(c => c.Number));
        Assert.Equal([3], (await store.TryClaimAsync("run-dead", 3, "helper/2", Lease, 1, CancellationToken.None)).Select(c => c.Number));

        // Other inputs, other chunks, or the run already published: not adopted.
        var moved = Spec("run-new") with { Views = [new ChunkViewSpec("revenue_by_country", TestCatalogs.RevenueByCountry.DefinitionHash, new Dictionary<int, long> { [0] = 121, [3] = 7 })] };
        Assert.Null(await store.TryAdoptRunAsync(moved, _chunks, "coordinator/9", null, CancellationToken.None));
        Assert.Null(await store.TryAdoptRunAsync(Spec("run-new") with { Lookups = new Dictionary<string, long> { ["countries"] = 4 } }, _chunks, "coordinator/9", null, CancellationToken.None));
        Assert.Null(await store.TryAdoptRunAsync(Spec("run-new"), _chunks[..3], "coordinator/9", null, CancellationToken.None));
        Assert.Null(await store.TryAdoptRunAsync(Spec("run-new"), _chunks, "coordinator/9", "run-dead", CancellationToken.None));
        Assert.Null(await Store("/data/b").TryAdoptRunAsync(Spec("run-new"), _chunks, "coordinator/9", null, CancellationToken.None));

        // The same inputs (entries in another order) and chunks: adopted.
        var reordered = Spec("run-new") with { Views = [new ChunkViewSpec("revenue_by_country", TestCatalogs.RevenueByCountry.DefinitionHash, new Dictionary<int, long> { [3] = 7, [0] = 120 })] };
        Assert.Equal("run-dead", await store.TryAdoptRunAsync(reordered, _chunks, "coordinator/9", null, CancellationToken.None));
        var status = await store.GetStatusAsync("run-dead", CancellationToken.None);
        Assert.Equal([0, 1], status.Outcomes.Select(o => o.Number));
        // The dead coordinator's chunk is claimable at once; the helper's stays its own until its lease runs out.
        Assert.Equal([2], (await store.TryClaimAsync("run-dead", null, "coordinator/9", Lease, 1, CancellationToken.None)).Select(c => c.Number));
        Assert.Empty(await store.TryClaimAsync("run-dead", 3, "coordinator/9", Lease, 1, CancellationToken.None));
        Assert.True(await store.CompleteAsync("run-dead", [new ChunkOutcome(3, 1, null, 9)], "helper/2", CancellationToken.None));
        Assert.False(await store.CompleteAsync("run-dead", [new ChunkOutcome(2, 1, null, 9)], "coordinator/1", CancellationToken.None));
    }

    [Fact]
    public async Task A_run_with_a_failed_chunk_is_not_adopted()
    {
        var store = Store("/data/a");
        await store.CreateRunAsync(Spec("run-failed"), _chunks, "coordinator/1", CancellationToken.None);
        Assert.NotEmpty(await store.TryClaimAsync("run-failed", 2, "coordinator/1", Lease, 1, CancellationToken.None));
        await store.FailAsync("run-failed", [2], "coordinator/1", "boom", CancellationToken.None);

        Assert.Null(await store.TryAdoptRunAsync(Spec("run-new"), _chunks, "coordinator/9", null, CancellationToken.None));
    }

    // Orders on D1, D2, D3 and D4 (two views on the first two), payments on D1 and D3.
    private static RecomputeChunk[] MultiDay =>
    [
        new(0, "revenue_by_country", "orders", D1), new(1, "orders_by_status", "orders", D1), new(2, "payments_by_method", "payments", D1),
        new(3, "revenue_by_country", "orders", D2), new(4, "orders_by_status", "orders", D2), new(5, "revenue_by_country", "orders", D2.AddDays(1)),
        new(6, "payments_by_method", "payments", D2.AddDays(1)), new(7, "revenue_by_country", "orders", D2.AddDays(2)),
    ];

    private PostgresRecomputeChunkStore Store(string root) =>
        new(_database, Options.Create(new BatchStorageOptions { DatasetRoot = root }));

    private static ChunkRunSpec Spec(string runId) => new(
        runId,
        [new ChunkViewSpec("revenue_by_country", TestCatalogs.RevenueByCountry.DefinitionHash, new Dictionary<int, long> { [0] = 120, [3] = 7 })],
        new Dictionary<string, long>(StringComparer.Ordinal) { ["countries"] = 3 });
}
