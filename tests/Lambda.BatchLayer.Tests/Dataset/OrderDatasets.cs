using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>Builds master datasets of the orders source directly (no Kafka), as the archiver would store them.</summary>
internal static class OrderDatasets
{
    /// <summary>
    /// Messages firstIndex..firstIndex+count-1 of <see cref="OrderEvents"/> (times spread as if there were
    /// <paramref name="total"/> messages; default: count), round-robin over the partitions with consecutive
    /// offsets per partition (starting at <paramref name="nextOffsets"/>, default 0).
    /// </summary>
    public static IReadOnlyList<OrderMessage> Messages(
        SourceDefinition orders, int count, int partitions, int seed, int firstIndex = 0, int? total = null, IReadOnlyDictionary<int, long>? nextOffsets = null)
    {
        var parser = new EventParser(orders);
        var offsets = new long[partitions];
        for (var p = 0; p < partitions; p++)
        {
            offsets[p] = nextOffsets is not null && nextOffsets.TryGetValue(p, out var next) ? next : 0;
        }

        var messages = new List<OrderMessage>(count);
        for (var i = firstIndex; i < firstIndex + count; i++)
        {
            var json = OrderEvents.Create(i, total ?? count, seed, out var valid);
            var partition = i % partitions;
            EventRecord? record = null;
            if (parser.TryParse(json, out var parsed, out _))
            {
                record = parsed;
            }

            Assert.Equal(valid, record is not null);
            messages.Add(new OrderMessage(partition, offsets[partition]++, json, record));
        }

        return messages;
    }

    /// <summary>Stores <paramref name="messages"/> per partition in commits of at most <paramref name="perCommit"/> messages.</summary>
    public static async Task WriteAsync(string root, SourceDefinition orders, IEnumerable<OrderMessage> messages, int perCommit, int rowGroupSize = 1_000_000)
    {
        var writer = new MasterDatasetWriter(root, orders, flushToDisk: false, rowGroupSize);
        foreach (var partition in messages.GroupBy(m => m.Partition))
        {
            foreach (var chunk in partition.OrderBy(m => m.Offset).Chunk(perCommit))
            {
                var batch = new MasterPartitionBatch(orders, partition.Key);
                foreach (var message in chunk.Where(m => m.Event is not null))
                {
                    batch.Add(message.Event!, message.Offset);
                }

                await writer.CommitAsync(batch, chunk[0].Offset, chunk[^1].Offset, chunk.Count(m => m.Event is null), CancellationToken.None);
            }
        }
    }
}
