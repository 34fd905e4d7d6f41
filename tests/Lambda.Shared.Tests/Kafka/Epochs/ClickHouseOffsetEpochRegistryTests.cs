using Lambda.Shared.Kafka.Epochs;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Kafka.Epochs;

/// <summary>The epoch registry on the stack's ClickHouse.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ClickHouseOffsetEpochRegistryTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_database_without_the_table_has_no_epochs()
    {
        await using var database = await ClickHouseTestDatabase.CreateAsync(prefix: "epochs");

        Assert.Empty(await new ClickHouseOffsetEpochRegistry(database.Client).ReadAsync("orders", CancellationToken.None));
    }

    [Fact]
    public async Task Epochs_read_back_per_topic_oldest_first_with_their_start_offsets()
    {
        await using var database = await ClickHouseTestDatabase.CreateAsync(prefix: "epochs");
        var registry = new ClickHouseOffsetEpochRegistry(database.Client);

        await registry.AppendAsync(new OffsetEpoch("orders", 1, "id-b", new Dictionary<int, long> { [0] = 40, [2] = 7 }, At.AddMinutes(1), "moved"), CancellationToken.None);
        await registry.AppendAsync(new OffsetEpoch("orders", 0, "id-a", new Dictionary<int, long>(), At, "first"), CancellationToken.None);
        await registry.AppendAsync(new OffsetEpoch("payments", 0, "id-p", new Dictionary<int, long>(), At, "first"), CancellationToken.None);

        var epochs = await registry.ReadAsync("orders", CancellationToken.None);

        Assert.Equal([0, 1], epochs.Select(e => e.Number));
        Assert.Equal(["id-a", "id-b"], epochs.Select(e => e.TopicId));
        Assert.Equal(new Dictionary<int, long> { [0] = 40, [2] = 7 }, epochs[1].StartOffsets);
        Assert.Equal(At.AddMinutes(1), epochs[1].CreatedAt);
        Assert.Equal("moved", epochs[1].Reason);
    }

    [Fact]
    public async Task An_epoch_registered_twice_keeps_the_first_start_and_the_last_known_topic_id()
    {
        await using var database = await ClickHouseTestDatabase.CreateAsync(prefix: "epochs");
        var registry = new ClickHouseOffsetEpochRegistry(database.Client);

        await registry.AppendAsync(new OffsetEpoch("orders", 0, "", new Dictionary<int, long> { [0] = 3 }, At, "first"), CancellationToken.None);
        await registry.AppendAsync(new OffsetEpoch("orders", 0, "id-a", new Dictionary<int, long> { [0] = 9 }, At.AddSeconds(5), "topic id learned"), CancellationToken.None);
        await registry.AppendAsync(new OffsetEpoch("orders", 0, "", new Dictionary<int, long>(), At.AddSeconds(9), "again"), CancellationToken.None);

        var epoch = Assert.Single(await registry.ReadAsync("orders", CancellationToken.None));

        Assert.Equal("id-a", epoch.TopicId);
        Assert.Equal(new Dictionary<int, long> { [0] = 3 }, epoch.StartOffsets);
        Assert.Equal("first", epoch.Reason);
    }
}
