using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>
/// Writes what the speed layer's flushes leave in a view's speed table (layout: docs/design-notes.md, "ClickHouse speed tables"; only the
/// leading columns the batch layer reads: kind, partition, first_offset, last_offset, flushed_at, bucket).
/// </summary>
internal static class SpeedTables
{
    public static async Task CreateAsync(IClickHouseClient client, ViewDefinition view, CancellationToken cancellationToken)
    {
        var table = ClickHouseSql.QualifiedName(client.Database, SpeedTableSchema.TableNameOf(view));
        await client.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {table} (kind UInt8, `partition` UInt16, first_offset Int64, last_offset Int64, flushed_at DateTime, bucket DateTime) "
            + "ENGINE = MergeTree PARTITION BY tuple() ORDER BY (`partition`, last_offset)",
            cancellationToken);
    }

    /// <summary>
    /// One flush per range: <paramref name="deltaRows"/> delta rows (kind 0) carrying the range, or a marker row
    /// (kind 1) when 0. A range (first, last) makes last + 1 a boundary.
    /// </summary>
    public static async Task AddFlushesAsync(IClickHouseClient client, ViewDefinition view, int partition, IEnumerable<(long First, long Last)> ranges, int deltaRows, CancellationToken cancellationToken)
    {
        var rows = new List<(byte Kind, long First, long Last)>();
        foreach (var (first, last) in ranges)
        {
            if (deltaRows == 0)
            {
                rows.Add((1, first, last));
            }

            for (var i = 0; i < deltaRows; i++)
            {
                rows.Add((0, first, last));
            }
        }

        await client.InsertAsync(
            SpeedTableSchema.TableNameOf(view),
            ["kind", "partition", "first_offset", "last_offset", "flushed_at", "bucket"],
            rows,
            (writer, row) =>
            {
                writer.WriteUInt8(row.Kind);
                writer.WriteUInt16(checked((ushort)partition));
                writer.WriteInt64(row.First);
                writer.WriteInt64(row.Last);
                writer.WriteDateTime(DateTime.UtcNow);
                writer.WriteDateTime(row.Kind == 1 ? DateTime.UnixEpoch : new DateTime(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc));
            },
            cancellationToken: cancellationToken);
    }

    /// <summary>Consecutive flush ranges of <paramref name="step"/> offsets from <paramref name="from"/> up to <paramref name="to"/> (exclusive).</summary>
    public static IEnumerable<(long First, long Last)> Ranges(long from, long to, long step)
    {
        for (var first = from; first < to; first += step)
        {
            yield return (first, Math.Min(first + step, to) - 1);
        }
    }
}
