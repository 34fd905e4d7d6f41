using Lambda.BatchLayer.Recompute;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.BatchLayer.Tests.Recompute;

public sealed class InMemoryRecomputeChunkStoreTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly DateOnly D1 = new(2026, 11, 24);
    private static readonly DateOnly D2 = new(2026, 11, 25);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero));
    private readonly ChunkRunSpec _spec = new("run-1", [], new Dictionary<string, long>());
    private readonly RecomputeChunk[] _chunks =
    [
        new(0, "a", "orders", D1), new(1, "b", "orders", D1), new(2, "p", "payments", D1), new(3, "a", "orders", D2),
    ];

    [Fact]
    public async Task A_claim_takes_the_claimable_chunks_of_one_source_and_day_and_nobody_else_gets_them_while_the_lease_holds()
    {
        var store = await CreateAsync();

        var first = await store.TryClaimAsync("run-1", null, "w1", Lease, 1, CancellationToken.None);
        var second = await store.TryClaimAsync("run-1", null, "w2", Lease, 1, CancellationToken.None);
        var asked = await store.TryClaimAsync("run-1", 1, "w2", Lease, 1, CancellationToken.None);

        Assert.Equal([0, 1], first.Select(c => c.Number));
        Assert.Equal([2], second.Select(c => c.Number));
        Assert.Empty(asked);
    }

    [Fact]
    public async Task A_chunk_whose_lease_ran_out_goes_to_another_worker_and_the_first_can_neither_renew_nor_complete_it()
    {
        var store = await CreateAsync();
        var mine = await store.TryClaimAsync("run-1", 3, "w1", Lease, 1, CancellationToken.None);
        _time.Advance(Lease / 2);
        Assert.True(await store.RenewAsync("run-1", [3], "w1", Lease, CancellationToken.None));
        _time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.TryClaimAsync("run-1", 3, "w2", Lease, 1, CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(2));
        var taken = await store.TryClaimAsync("run-1", 3, "w2", Lease, 1, CancellationToken.None);

        Assert.Equal(mine, taken);
        Assert.False(await store.RenewAsync("run-1", [3], "w1", Lease, CancellationToken.None));
        Assert.False(await store.CompleteAsync("run-1", [new ChunkOutcome(3, 1, "f-w1", 10)], "w1", CancellationToken.None));
        Assert.True(await store.CompleteAsync("run-1", [new ChunkOutcome(3, 2, "f-w2", 20)], "w2", CancellationToken.None));
        var status = await store.GetStatusAsync("run-1", CancellationToken.None);
        Assert.Equal((4, 1, "f-w2"), (status.Total, status.Done, status.Outcomes.Single().File));
        Assert.Equal(new Dictionary<string, int> { ["w2"] = 1 }, status.DoneByWorker);
    }

    [Fact]
    public async Task A_failed_chunk_fails_the_run_and_an_ended_run_has_nothing_to_claim()
    {
        var store = await CreateAsync();
        var claimed = await store.TryClaimAsync("run-1", null, "w1", Lease, 1, CancellationToken.None);
        await store.FailAsync("run-1", claimed.Select(c => c.Number).ToArray(), "w1", "IOException: disk full", CancellationToken.None);

        var status = await store.GetStatusAsync("run-1", CancellationToken.None);
        await store.FinishRunAsync("run-1", published: false, CancellationToken.None);

        Assert.Equal("chunk 0 (a, 2026-11-24) on w1: IOException: disk full", status.Failure);
        Assert.Null(await store.GetRunningSpecAsync("run-1", CancellationToken.None));
        Assert.Empty(await store.TryClaimAsync("run-1", null, "w2", Lease, 1, CancellationToken.None));
    }

    [Fact]
    public async Task A_claim_of_several_days_takes_one_source_on_the_next_claimable_days_up_to_the_limit_and_leaves_the_rest_to_others()
    {
        var store = new InMemoryRecomputeChunkStore(_time);
        await store.CreateRunAsync(_spec, MultiDay, "w0", CancellationToken.None);

        var first = await store.TryClaimAsync("run-1", null, "w1", Lease, 3, CancellationToken.None);
        var second = await store.TryClaimAsync("run-1", null, "w2", Lease, 3, CancellationToken.None);
        var third = await store.TryClaimAsync("run-1", null, "w3", Lease, 3, CancellationToken.None);
        var held = await store.TryClaimAsync("run-1", 5, "w4", Lease, 3, CancellationToken.None);

        Assert.Equal([0, 1, 3, 4, 5], first.Select(c => c.Number));
        Assert.Equal([2, 6], second.Select(c => c.Number));
        Assert.Equal([7], third.Select(c => c.Number));
        Assert.Empty(held);
    }

    [Fact]
    public async Task A_chunk_asked_for_brings_the_claimable_days_from_its_own_and_a_released_claim_is_claimable_at_once()
    {
        var store = new InMemoryRecomputeChunkStore(_time);
        await store.CreateRunAsync(_spec, MultiDay, "w0", CancellationToken.None);

        var asked = await store.TryClaimAsync("run-1", 4, "w1", Lease, 2, CancellationToken.None);
        await store.ReleaseAsync("run-1", asked.Select(c => c.Number).ToArray(), "w1", CancellationToken.None);
        var again = await store.TryClaimAsync("run-1", null, "w2", Lease, 8, CancellationToken.None);

        Assert.Equal([3, 4, 5], asked.Select(c => c.Number));
        Assert.Equal([0, 1, 3, 4, 5, 7], again.Select(c => c.Number));
    }

    [Fact]
    public async Task A_multi_day_claim_whose_lease_ran_out_is_taken_over_in_parts_and_its_first_holder_can_neither_renew_nor_complete_any_of_it()
    {
        var store = new InMemoryRecomputeChunkStore(_time);
        await store.CreateRunAsync(_spec, MultiDay, "w0", CancellationToken.None);
        var mine = await store.TryClaimAsync("run-1", null, "w1", Lease, 3, CancellationToken.None);
        var numbers = mine.Select(c => c.Number).ToArray();
        Assert.True(await store.RenewAsync("run-1", numbers, "w1", Lease, CancellationToken.None));

        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        var later = await store.TryClaimAsync("run-1", 3, "w2", Lease, 1, CancellationToken.None);
        var rest = await store.TryClaimAsync("run-1", null, "w3", Lease, 8, CancellationToken.None);

        Assert.Equal([3, 4], later.Select(c => c.Number));
        Assert.Equal([0, 1, 5, 7], rest.Select(c => c.Number));
        Assert.False(await store.RenewAsync("run-1", numbers, "w1", Lease, CancellationToken.None));
        Assert.False(await store.CompleteAsync("run-1", numbers.Select(n => new ChunkOutcome(n, 1, $"f{n}", 1)).ToArray(), "w1", CancellationToken.None));
        Assert.True(await store.CompleteAsync("run-1", [new ChunkOutcome(3, 1, "f3", 1), new ChunkOutcome(4, 1, "f4", 0)], "w2", CancellationToken.None));
        var status = await store.GetStatusAsync("run-1", CancellationToken.None);
        Assert.Equal(new Dictionary<string, int> { ["w2"] = 2 }, status.DoneByWorker);
    }

    [Fact]
    public async Task A_claim_of_no_day_is_refused()
    {
        var store = await CreateAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.TryClaimAsync("run-1", null, "w1", Lease, 0, CancellationToken.None));
    }

    // Orders on D1, D2, D3 and D4 (two views on the first three), payments on D1 and D3.
    private static RecomputeChunk[] MultiDay =>
    [
        new(0, "a", "orders", D1), new(1, "b", "orders", D1), new(2, "p", "payments", D1), new(3, "a", "orders", D2), new(4, "b", "orders", D2),
        new(5, "a", "orders", D2.AddDays(1)), new(6, "p", "payments", D2.AddDays(1)), new(7, "a", "orders", D2.AddDays(2)),
    ];

    private async Task<InMemoryRecomputeChunkStore> CreateAsync()
    {
        var store = new InMemoryRecomputeChunkStore(_time);
        await store.CreateRunAsync(_spec, _chunks, "w0", CancellationToken.None);
        return store;
    }
}
