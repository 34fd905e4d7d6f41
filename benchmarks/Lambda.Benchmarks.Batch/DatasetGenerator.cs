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

    /// <summary>Event i of a partition's <c>perPartition</c> at its share of the three days, plus up to 5 minutes (ticks).</summary>
    public static long InOffsetOrder(Random random, long offset, long perPartition) =>
        Start.Ticks + (long)((double)offset / perPartition * (TimeSpan.FromDays(3).Ticks - TimeSpan.TicksPerHour)) + random.NextInt64(TimeSpan.TicksPerMinute * 5);

    public static Task<long> WriteAsync(string root, SourceDefinition orders, long events, int partitions, int perCommit, CancellationToken cancellationToken, int? spreadDays = null) =>
        WriteAsync(root, orders, events, partitions, perCommit, seed: 1_000, cancellationToken, (record, ordinal, random, partition, offset, perPartition) =>
        {
            var ticks = InOffsetOrder(random, offset, perPartition);
            if (spreadDays is { } days)
            {
                ticks = Start.Ticks + random.NextInt64(TimeSpan.TicksPerDay * days);
            }
            else if (random.Next(100) < 8)
            {
                ticks = Math.Max(Start.Ticks, ticks - random.NextInt64(TimeSpan.TicksPerHour, TimeSpan.TicksPerHour * 36));
            }

            record.SetTimestamp((ticks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond);
            record.SetString(ordinal["order_id"], $"o-{partition}-{offset}");
            record.SetString(ordinal["user_id"], $"u{random.Next(200_000)}");
            record.SetString(ordinal["country"], Countries[random.Next(Countries.Length)]);
            record.SetDecimalUnscaled(ordinal["amount"], random.Next(1, 100_000));
            record.SetString(ordinal["status"], Statuses[random.Next(Statuses.Length)]);
        });

    /// <summary>
    /// Writes <paramref name="events"/> events of <paramref name="source"/> round-robin over the partitions, one commit per
    /// <paramref name="perCommit"/> offsets of a partition; <paramref name="fill"/>(record, field ordinals, the partition's
    /// random, partition, offset, events per partition) sets each event's fields (the record is reset before).
    /// </summary>
    public static async Task<long> WriteAsync(
        string root, SourceDefinition source, long events, int partitions, int perCommit, int seed, CancellationToken cancellationToken,
        Action<EventRecord, IReadOnlyDictionary<string, int>, Random, int, long, long> fill)
    {
        var writer = new MasterDatasetWriter(root, source, flushToDisk: false);
        var perPartition = events / partitions;
        long written = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, partitions), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (partition, ct) =>
        {
            var random = new Random(seed + partition);
            var record = new EventRecord(source);
            var ordinal = source.Fields.ToDictionary(f => f.Name, f => f.Ordinal);
            for (long first = 0; first < perPartition; first += perCommit)
            {
                var last = Math.Min(first + perCommit, perPartition) - 1;
                var batch = new MasterPartitionBatch(source, partition);
                for (var offset = first; offset <= last; offset++)
                {
                    record.Reset();
                    fill(record, ordinal, random, partition, offset, perPartition);
                    batch.Add(record, offset);
                }

                await writer.CommitAsync(batch, first, last, 0, ct);
                Interlocked.Add(ref written, batch.Rows);
            }
        });
        return written;
    }
}
