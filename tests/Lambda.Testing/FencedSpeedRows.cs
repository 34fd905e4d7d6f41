using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;

namespace Lambda.Testing;

/// <summary>
/// Bare speed-table rows for tests of the fencing rule and of reads that apply it: only the columns the rule and offset reads
/// look at (kind 0, partition, first and last offset, fencing token), the others left at their defaults.
/// </summary>
public static class FencedSpeedRows
{
    /// <summary>Inserts <paramref name="rows"/> into <paramref name="schema"/>'s table in <paramref name="client"/>'s database.</summary>
    public static Task InsertAsync(
        IClickHouseClient client,
        SpeedTableSchema schema,
        IReadOnlyList<(int Partition, long Token, long FirstOffset, long LastOffset)> rows,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(rows);
        return client.InsertAsync(
            schema.TableName,
            [SpeedTableSchema.KindColumn, SpeedTableSchema.PartitionColumn, SpeedTableSchema.FirstOffsetColumn, SpeedTableSchema.LastOffsetColumn, SpeedTableSchema.FencingTokenColumn],
            rows,
            static (w, r) =>
            {
                w.WriteUInt8(0);
                w.WriteUInt16(checked((ushort)r.Partition));
                w.WriteInt64(r.FirstOffset);
                w.WriteInt64(r.LastOffset);
                w.WriteUInt64(checked((ulong)r.Token));
            },
            null,
            cancellationToken);
    }
}
