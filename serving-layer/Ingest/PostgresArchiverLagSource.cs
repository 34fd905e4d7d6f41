using Lambda.Shared.Batch;
using Npgsql;

namespace Lambda.ServingLayer.Ingest;

/// <summary>
/// Reads <c>archiver_lag</c> (<see cref="ArchiverLagSchema"/>). A database where the batch layer has not created the
/// table yet has no reports, which is what is returned.
/// </summary>
public sealed class PostgresArchiverLagSource(NpgsqlDataSource dataSource) : IArchiverLagSource
{
    private const string Sql =
        "SELECT consumer_group, topic, partition, source, lag, max_lag FROM archiver_lag WHERE reported_at > now() - @max_age";

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArchiverLagReport>> ReadAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var reports = new List<ArchiverLagReport>();
        try
        {
            await using var command = dataSource.CreateCommand(Sql);
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("max_age", maxAge));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                reports.Add(new ArchiverLagReport(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }

        return reports;
    }
}
