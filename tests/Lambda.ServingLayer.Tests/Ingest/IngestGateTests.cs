using Lambda.ServingLayer.Ingest;
using Lambda.Shared.Batch;

namespace Lambda.ServingLayer.Tests.Ingest;

public sealed class IngestGateTests
{
    private static ArchiverLagReport Report(string topic, int partition, long lag, long maxLag = 100, string group = "lambda-archiver-orders") =>
        new(group, topic, partition, "orders", lag, maxLag);

    [Fact]
    public void A_topic_closes_when_one_partition_is_beyond_its_limit_and_not_at_it()
    {
        var gate = new IngestGate();

        gate.Update([Report("orders", 0, 100), Report("orders", 1, 3), Report("payments", 0, 100)]);
        Assert.Empty(gate.Closed);
        Assert.False(gate.IsClosed("orders", out _));

        gate.Update([Report("orders", 0, 100), Report("orders", 1, 101), Report("payments", 0, 100)]);
        Assert.True(gate.IsClosed("orders", out var behind));
        Assert.Equal(1, behind.Partition);
        Assert.Equal(101, behind.Lag);
        Assert.False(gate.IsClosed("payments", out _));
    }

    [Fact]
    public void The_report_given_is_the_one_furthest_beyond_its_limit_over_partitions_and_groups()
    {
        var gate = new IngestGate();

        gate.Update([Report("orders", 0, 150), Report("orders", 1, 900, maxLag: 1000), Report("orders", 2, 130, maxLag: 10, group: "other-archiver-orders")]);

        Assert.True(gate.IsClosed("orders", out var behind));
        Assert.Equal(("other-archiver-orders", 2), (behind.ConsumerGroup, behind.Partition));
    }

    [Fact]
    public void A_later_update_without_the_topic_behind_opens_it_and_Open_opens_every_topic()
    {
        var gate = new IngestGate();
        gate.Update([Report("orders", 0, 500), Report("payments", 0, 500)]);
        Assert.Equal(["orders", "payments"], gate.Closed.Keys.Order(StringComparer.Ordinal));

        gate.Update([Report("orders", 0, 50), Report("payments", 0, 500)]);
        Assert.Equal(["payments"], gate.Closed.Keys);

        gate.Open();
        Assert.Empty(gate.Closed);
    }
}
