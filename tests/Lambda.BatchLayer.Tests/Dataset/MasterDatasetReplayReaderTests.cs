using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Kafka.Epochs;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>
/// The Kappa replay's reader: one partition's archived events in offset order, from a position on, over flush files
/// (sorted by event time) and over compaction records (day files interleaving their offsets) alike.
/// </summary>
public sealed class MasterDatasetReplayReaderTests : IDisposable
{
    private readonly TestDirectory _root = new("replay-reader");
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_partition_is_read_in_offset_order_with_every_valid_event_once(bool compacted)
    {
        var messages = OrderDatasets.Messages(_orders, 3000, 2, seed: 41);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit: 120);
        if (compacted)
        {
            await new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
        }

        var snapshot = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);
        if (!compacted)
        {
            // The premise: a flush file holds its rows by event time, so file order alone is not offset order.
            Assert.Contains(snapshot.Files, f => f.IsFlushFile);
        }

        var orderId = _orders.GetField("order_id").Ordinal;
        foreach (var partition in new[] { 0, 1 })
        {
            var expected = messages.Where(m => m.Partition == partition && m.Event is not null).OrderBy(m => m.Offset).ToArray();
            var read = new List<(long Offset, string OrderId, long Time)>();
            var count = await new MasterDatasetReplayReader(_orders).ReadPartitionAsync(
                snapshot, partition, long.MinValue, (record, offset) => read.Add((offset, record.GetString(orderId), record.TimestampMilliseconds)), CancellationToken.None);

            Assert.Equal(expected.Length, count);
            Assert.Equal(expected.Select(m => m.Offset), read.Select(r => r.Offset));
            Assert.Equal(expected.Select(m => m.Event!.GetString(orderId)), read.Select(r => r.OrderId));
            Assert.Equal(expected.Select(m => m.Event!.TimestampMilliseconds), read.Select(r => r.Time));
        }
    }

    [Fact]
    public async Task Reading_from_a_position_starts_exactly_there()
    {
        var messages = OrderDatasets.Messages(_orders, 1000, 1, seed: 42);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit: 64);
        var snapshot = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);
        const long from = 437;
        var read = new List<long>();
        await new MasterDatasetReplayReader(_orders).ReadPartitionAsync(snapshot, 0, from, (_, offset) => read.Add(offset), CancellationToken.None);

        Assert.Equal(messages.Where(m => m.Offset >= from && m.Event is not null).Select(m => m.Offset), read);
    }

    [Fact]
    public void Files_are_grouped_by_overlapping_offset_ranges_in_offset_order_across_epochs()
    {
        var epoch1 = KafkaPosition.FirstOf(1);
        DatasetFile File(string name, long min, long max) => new(name, 0, null, null, 1, min, max, 0, 0, []);
        var files = new[]
        {
            File("epoch1", epoch1, epoch1 + 9),
            File("hour-b", 100, 180),
            File("flush", 0, 99),
            File("hour-a", 120, 199),
            File("hour-c", 181, 190),
            File("next", 200, 210),
        };

        var groups = MasterDatasetReplayReader.OffsetGroups(files);

        Assert.Equal(
            [["flush"], ["hour-b", "hour-a", "hour-c"], ["next"], ["epoch1"]],
            groups.Select(g => g.Select(f => f.Path).ToArray()).ToArray());
    }
}
