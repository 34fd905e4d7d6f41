using System.Globalization;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;

namespace Lambda.Shared.Kafka.Epochs;

/// <summary>
/// The epoch registry in ClickHouse (table <see cref="TableName"/> of the platform's database): the one store both
/// the speed layer and the archiver already reach. Rows are only ever inserted; a missing table reads as no epochs.
/// </summary>
public sealed class ClickHouseOffsetEpochRegistry(IClickHouseClient client) : IOffsetEpochRegistry
{
    /// <summary>The registry table.</summary>
    public const string TableName = "kafka_offset_epochs";

    private string Table => ClickHouseSql.QualifiedName(client.Database, TableName);

    /// <inheritdoc />
    public async Task<IReadOnlyList<OffsetEpoch>> ReadAsync(string topic, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        IReadOnlyList<ClickHouseRow> rows;
        try
        {
            rows = await client.QueryRowsAsync(
                    $"SELECT epoch, topic_id, start_offsets, reason, created_ms FROM {Table} WHERE topic = {ClickHouseSql.QuoteString(topic)} ORDER BY epoch, created_ms",
                    null,
                    cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex))
        {
            return [];
        }

        return rows
            .Select(r => new OffsetEpoch(
                topic,
                r.GetInt32(0),
                r.GetString(1),
                OffsetEpochText.ParseStartOffsets(r.GetString(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                r.GetString(3)))
            .GroupBy(e => e.Number)
            .Select(Merge)
            .OrderBy(e => e.Number)
            .ToArray();
    }

    /// <inheritdoc />
    public async Task AppendAsync(OffsetEpoch epoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        await client.EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await client.ExecuteAsync(
                $"CREATE TABLE IF NOT EXISTS {Table} (topic String, epoch UInt32, topic_id String, start_offsets String, reason String, created_ms Int64) "
                + "ENGINE = MergeTree ORDER BY (topic, epoch, created_ms)",
                null,
                cancellationToken)
            .ConfigureAwait(false);
        var values = string.Join(
            ", ",
            ClickHouseSql.QuoteString(epoch.Topic),
            epoch.Number.ToString(CultureInfo.InvariantCulture),
            ClickHouseSql.QuoteString(epoch.TopicId),
            ClickHouseSql.QuoteString(OffsetEpochText.FormatStartOffsets(epoch.StartOffsets)),
            ClickHouseSql.QuoteString(epoch.Reason),
            epoch.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        await client.ExecuteAsync($"INSERT INTO {Table} (topic, epoch, topic_id, start_offsets, reason, created_ms) VALUES ({values})", null, cancellationToken)
            .ConfigureAwait(false);
    }

    // Two registrations of one number come from processes that saw the same restart, or from a process that
    // learned the topic id of an epoch registered without one: the first one's start and reason, the last id.
    private static OffsetEpoch Merge(IEnumerable<OffsetEpoch> registrations)
    {
        var all = registrations.ToArray();
        var first = all[0];
        var id = all.LastOrDefault(e => e.TopicId.Length > 0)?.TopicId ?? string.Empty;
        return first with { TopicId = id };
    }
}
