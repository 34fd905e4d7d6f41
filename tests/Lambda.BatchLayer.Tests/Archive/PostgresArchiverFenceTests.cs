using Lambda.BatchLayer.Archive.Fencing;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Tests.Status;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.Archive;

/// <summary>The archiver's fence in a real PostgreSQL: newer tokens supersede older ones, and a takeover waits for a write in progress.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresArchiverFenceTests : IAsyncLifetime
{
    private const string Group = "archiver-orders";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly PostgresTestDatabase _postgres = new();
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
    public async Task A_later_assignment_supersedes_the_earlier_tokens_of_its_partitions_only()
    {
        var first = Fence();
        var second = Fence();
        var old = await first.TakeAsync(Group, [0, 1, 2], CancellationToken.None);
        var taken = await second.TakeAsync(Group, [1], CancellationToken.None);
        Assert.True(taken[1] > old.Values.Max());

        Assert.Equal([1], await first.SupersededAsync(Group, old, CancellationToken.None));
        Assert.Empty(await second.SupersededAsync(Group, taken, CancellationToken.None));
        // Another group's partition 1 is another partition.
        Assert.Empty(await first.SupersededAsync("archiver-payments", await first.TakeAsync("archiver-payments", [1], CancellationToken.None), CancellationToken.None));

        var written = new List<int>();
        var refused = await first.WriteUnderFenceAsync(Group, old, (current, _) =>
        {
            written.AddRange(current.Order());
            return Task.CompletedTask;
        }, CancellationToken.None);
        Assert.Equal([1], refused);
        Assert.Equal([0, 2], written);
    }

    [Fact]
    public async Task A_partition_without_a_token_is_never_written()
    {
        var called = false;
        var refused = await Fence().WriteUnderFenceAsync(Group, new Dictionary<int, long> { [5] = 1 }, (_, _) =>
        {
            called = true;
            return Task.CompletedTask;
        }, CancellationToken.None);
        Assert.Equal([5], refused);
        Assert.False(called);
    }

    [Fact]
    public async Task A_new_token_waits_until_the_write_under_the_old_one_is_done()
    {
        var writer = Fence();
        var tokens = await writer.TakeAsync(Group, [3], CancellationToken.None);
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var write = writer.WriteUnderFenceAsync(Group, tokens, async (_, _) =>
        {
            writing.SetResult();
            await finish.Task;
        }, CancellationToken.None);
        await writing.Task.WaitAsync(Patience);

        var takeover = Fence().TakeAsync(Group, [3], CancellationToken.None);
        // The takeover is blocked on the writer's row lock: PostgreSQL says so.
        await WaitForLockWaitAsync();
        Assert.False(takeover.IsCompleted);

        finish.SetResult();
        Assert.Empty(await write.WaitAsync(Patience));
        var taken = await takeover.WaitAsync(Patience);
        Assert.Equal([3], await writer.SupersededAsync(Group, tokens, CancellationToken.None));
        Assert.True(taken[3] > tokens[3]);
    }

    private PostgresArchiverFence Fence() => new(_database, NullLogger<PostgresArchiverFence>.Instance);

    private async Task WaitForLockWaitAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await _postgres.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE datname = '{_postgres.Name}' AND wait_event_type = 'Lock'") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no session waits for the writer's lock");
            await Task.Delay(50);
        }
    }
}
