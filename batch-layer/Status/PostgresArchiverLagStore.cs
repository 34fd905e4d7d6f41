using Lambda.Shared.Batch;
using Npgsql;
using NpgsqlTypes;

namespace Lambda.BatchLayer.Status;

/// <summary>Upserts the archiver's lag into <c>archiver_lag</c> (<see cref="ArchiverLagSchema"/>), one statement per report.</summary>
public sealed class PostgresArchiverLagStore(BatchDatabase database, IBatchRunStore runs) : IArchiverLagStore
{
    private const string Sql =
        """
        INSERT INTO archiver_lag (consumer_group, topic, partition, source, lag, max_lag, reported_at)
        SELECT g, t, p, s, l, m, now() FROM unnest(@groups, @topics, @partitions, @sources, @lags, @max_lags) AS r(g, t, p, s, l, m)
        ON CONFLICT (consumer_group, topic, partition)
        DO UPDATE SET source = EXCLUDED.source, lag = EXCLUDED.lag, max_lag = EXCLUDED.max_lag, reported_at = EXCLUDED.reported_at
        """;

    /// <inheritdoc />
    public async Task ReportAsync(IReadOnlyList<ArchiverLagReport> reports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            return;
        }

        // The table is created with batch_runs (ArchiverLagSchema is part of its statements); once per process.
        await runs.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = database.DataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter("groups", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = reports.Select(r => r.ConsumerGroup).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("topics", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = reports.Select(r => r.Topic).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("partitions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = reports.Select(r => r.Partition).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("sources", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = reports.Select(r => r.Source).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("lags", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = reports.Select(r => r.Lag).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("max_lags", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = reports.Select(r => r.MaxLag).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
