using Lambda.BatchLayer.Archive;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Archive;

public sealed class PartitionBatchTests
{
    private readonly Lambda.Shared.Catalog.SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");

    [Fact]
    public void A_fresh_partition_starts_at_its_first_message_and_the_next_batch_where_the_commit_ended()
    {
        var batch = new PartitionBatch(_orders, 3, start: null);

        Assert.Equal(0, batch.Advance(17));
        Assert.Equal(0, batch.Advance(18));
        Assert.Equal(17, batch.Start);
        Assert.Equal(18, batch.Last);
        batch.Committed();

        Assert.Equal(19, batch.Start);
        Assert.False(batch.HasProgress);
        Assert.Equal(19, batch.Next);
    }

    [Fact]
    public void Offsets_the_broker_no_longer_holds_are_reported_and_covered_by_the_batch()
    {
        var batch = new PartitionBatch(_orders, 0, start: 100);

        var skipped = batch.Advance(140);

        Assert.Equal(40, skipped);
        Assert.Equal(100, batch.Start);
        Assert.Equal(140, batch.Last);
    }

    [Fact]
    public void Offsets_going_backwards_stop_the_archiver_with_an_explanation()
    {
        var batch = new PartitionBatch(_orders, 5, start: 1_000);

        var error = Assert.Throws<InvalidOperationException>(() => batch.Advance(10));

        Assert.Contains("partition 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("went backwards", error.Message, StringComparison.Ordinal);
    }
}
