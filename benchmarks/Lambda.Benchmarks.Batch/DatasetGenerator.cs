using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// Writes an orders master dataset directly with the batch layer's dataset writer (commit protocol and
/// all): events round-robin over the partitions, event times spread over three days in offset order with
/// 8% late events (1-36 hours older), one commit per <c>perCommit</c> offsets of a partition, as an
/// archiver flushing every so often would. With <c>spreadDays</c>, event times are instead drawn uniformly over
/// that many days whatever the offset (a backfill or a replay: every commit touches every day).
/// </summary>
internal static class DatasetGenerator
{
    private static readonly string[] Countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "NL", "ES", "IT", "CA", "AU"];
    private static readonly string[] Statuses = ["paid", "paid", "paid", "paid", "paid", "paid", "failed", "refunded", "pending", "paid"];

    public static readonly DateTimeOffset Start = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    public static async Task<long> WriteAsync(string root, SourceDefinition orders, long events, int partitions, int perCommit, CancellationToken cancellationToken, int? spreadDays = null)
    {
        var writer = new MasterDatasetWriter(root, orders, flushToDisk: false);
        var perPartition = events / partitions;
        var span = TimeSpan.FromDays(3).Ticks - TimeSpan.TicksPerHour;
        long written = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, partitions), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (partition, ct) =>
        {
            var random = new Random(1_000 + partition);
            var record = new EventRecord(orders);
            var ordinal = orders.Fields.ToDictionary(f => f.Name, f => f.Ordinal);
            for (long first = 0; first < perPartition; first += perCommit)
            {
                var last = Math.Min(first + perCommit, perPartition) - 1;
                var batch = new MasterPartitionBatch(orders, partition);
                for (var offset = first; offset <= last; offset++)
                {
                    var ticks = Start.Ticks + (long)((double)offset / perPartition * span) + random.NextInt64(TimeSpan.TicksPerMinute * 5);
                    if (spreadDays is { } days)
                    {
                        ticks = Start.Ticks + random.NextInt64(TimeSpan.TicksPerDay * days);
                    }
                    else if (random.Next(100) < 8)
                    {
                        ticks = Math.Max(Start.Ticks, ticks - random.NextInt64(TimeSpan.TicksPerHour, TimeSpan.TicksPerHour * 36));
                    }

                    record.Reset();
                    record.SetTimestamp((ticks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond);
                    record.SetString(ordinal["order_id"], $"o-{partition}-{offset}");
                    record.SetString(ordinal["user_id"], $"u{random.Next(200_000)}");
                    record.SetString(ordinal["country"], Countries[random.Next(Countries.Length)]);
                    record.SetDecimalUnscaled(ordinal["amount"], random.Next(1, 100_000));
                    record.SetString(ordinal["status"], Statuses[random.Next(Statuses.Length)]);
                    batch.Add(record, offset);
                }

                await writer.CommitAsync(batch, first, last, 0, ct);
                Interlocked.Add(ref written, batch.Rows);
            }
        });
        return written;
    }
}
