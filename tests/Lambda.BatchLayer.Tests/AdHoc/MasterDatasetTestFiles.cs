using Lambda.BatchLayer.Dataset;
using Parquet;
using Parquet.Schema;

namespace Lambda.BatchLayer.Tests.AdHoc;

/// <summary>An archived order as the archiver stores it.</summary>
public sealed record ArchivedOrder(string OrderId, string UserId, string Country, decimal Amount, string Status, DateTime EventTime, int Partition, long Offset);

/// <summary>
/// Writes master-dataset files in the layout of docs/design-notes.md, "Master dataset, commit log and compaction":
/// <c>&lt;root&gt;/master/orders/date=YYYY-MM-DD/hour=HH/p&lt;partition&gt;-&lt;first&gt;-&lt;last&gt;.parquet</c> with the
/// source fields, <c>event_time</c> (timestamp millis), <c>kafka_partition</c> and <c>kafka_offset</c>, each
/// committed (one commit record per file, written with the commit-log protocol) so that readers of the
/// committed snapshot see them.
/// </summary>
public static class MasterDatasetTestFiles
{
    public static async Task WriteOrdersAsync(string root, IReadOnlyList<ArchivedOrder> orders)
    {
        var ends = new Dictionary<int, long>();
        foreach (var group in orders.GroupBy(o => (Date: DateOnly.FromDateTime(o.EventTime), o.EventTime.Hour, o.Partition)).OrderBy(g => g.Min(o => o.Offset)))
        {
            var rows = group.OrderBy(o => o.Offset).ToList();
            var directory = Path.Combine(root, "master", "orders", $"date={group.Key.Date:yyyy-MM-dd}", $"hour={group.Key.Hour:D2}");
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, $"p{group.Key.Partition}-{rows[0].Offset}-{rows[^1].Offset}.parquet");

            var orderId = new DataField<string>("order_id", nullable: false);
            var userId = new DataField<string>("user_id", nullable: false);
            var country = new DataField<string>("country", nullable: false);
            var amount = new DecimalDataField("amount", 18, 2, isNullable: false);
            var status = new DataField<string>("status", nullable: false);
            var eventTime = new DateTimeDataField("event_time", DateTimeFormat.DateAndTime, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false);
            var partition = new DataField<int>("kafka_partition", nullable: false);
            var offset = new DataField<long>("kafka_offset", nullable: false);

            await using (var stream = File.Create(path + MasterDatasetLayout.TempSuffix))
            {
                await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(orderId, userId, country, amount, status, eventTime, partition, offset), stream);
                writer.CustomMetadata = new Dictionary<string, string>
                {
                    [MasterFileSchema.FormatKey] = MasterFileSchema.FormatValue,
                    [MasterFileSchema.SourceKey] = "orders",
                    [MasterFileSchema.PartitionKey] = group.Key.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    [MasterFileSchema.MinOffsetKey] = rows[0].Offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    [MasterFileSchema.MaxOffsetKey] = rows[^1].Offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync(orderId, rows.Select(r => r.OrderId).ToArray());
                await rowGroup.WriteAsync(userId, rows.Select(r => r.UserId).ToArray());
                await rowGroup.WriteAsync(country, rows.Select(r => r.Country).ToArray());
                await rowGroup.WriteAsync<decimal>(amount, rows.Select(r => r.Amount).ToArray());
                await rowGroup.WriteAsync(status, rows.Select(r => r.Status).ToArray());
                await rowGroup.WriteAsync<DateTime>(eventTime, rows.Select(r => r.EventTime).ToArray());
                await rowGroup.WriteAsync<int>(partition, rows.Select(r => r.Partition).ToArray());
                await rowGroup.WriteAsync<long>(offset, rows.Select(r => r.Offset).ToArray());
            }

            var first = ends.GetValueOrDefault(group.Key.Partition);
            var file = new DatasetFile(
                MasterDatasetLayout.DataFile("orders", group.Key.Date, group.Key.Hour, group.Key.Partition, rows[0].Offset, rows[^1].Offset),
                group.Key.Partition,
                group.Key.Date,
                group.Key.Hour,
                rows.Count,
                rows[0].Offset,
                rows[^1].Offset,
                rows.Min(r => new DateTimeOffset(r.EventTime).ToUnixTimeMilliseconds()),
                rows.Max(r => new DateTimeOffset(r.EventTime).ToUnixTimeMilliseconds()));
            await CommitAsync(root, "orders", group.Key.Partition, first, rows[^1].Offset, [file]);
            ends[group.Key.Partition] = rows[^1].Offset + 1;
        }
    }

    /// <summary>Commits <paramref name="files"/> (already written aside, <c>.tmp</c>) as offsets <paramref name="first"/>..<paramref name="last"/>.</summary>
    public static async Task CommitAsync(string root, string source, int partition, long first, long last, IReadOnlyList<DatasetFile> files)
    {
        var log = new CommitLog(root, source);
        var commit = new DatasetCommit
        {
            Source = source,
            Partition = partition,
            FirstOffset = first,
            LastOffset = last,
            ValidEvents = files.Sum(f => f.Rows),
            InvalidEvents = 0,
            CreatedAt = DateTimeOffset.UtcNow,
            Files = files,
        };
        await log.WriteAsync(commit, flushToDisk: false, CancellationToken.None);
        log.Publish(commit);
    }

    /// <summary>Orders over two days and several hours and partitions; every fifth one failed.</summary>
    public static List<ArchivedOrder> Orders(int count)
    {
        string[] countries = ["US", "DE", "FR"];
        var start = new DateTime(2026, 11, 24, 22, 0, 0, DateTimeKind.Utc);
        var offsets = new long[3];
        return Enumerable.Range(0, count).Select(i =>
        {
            var partition = i % 3;
            return new ArchivedOrder(
                $"o{i}",
                $"u{i % 11}",
                countries[i % countries.Length],
                10m + (i % 50) / 4m,
                i % 5 == 0 ? "failed" : "paid",
                start.AddMinutes(i * 3).AddMilliseconds(i % 1000),
                partition,
                offsets[partition]++);
        }).ToList();
    }
}
