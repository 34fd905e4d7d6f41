using Npgsql;

namespace Lambda.ServingLayer.Admin;

/// <summary>
/// Reads <c>batch_runs</c> (schema: <see cref="Lambda.Shared.Batch.BatchRunsSchema"/>; in the connection's search path) with a bound limit. A database where the batch layer
/// has not created the table yet has no runs, which is what is reported.
/// </summary>
public sealed partial class PostgresBatchStatusStore(NpgsqlDataSource dataSource, ILogger<PostgresBatchStatusStore> logger) : IBatchStatusStore
{
    private const string Sql =
        "SELECT id::text, mode, range_from, range_to, state, stage, started_at, finished_at, rows_read, rows_written, error "
        + "FROM batch_runs ORDER BY started_at DESC, id DESC LIMIT @limit";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<BatchRun>> GetRecentRunsAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var runs = new List<BatchRun>();
        try
        {
            await using var command = dataSource.CreateCommand(Sql);
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                runs.Add(new BatchRun(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3),
                    reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                    reader.GetInt64(8),
                    reader.GetInt64(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10)));
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            LogNoTable(logger, ex.MessageText);
            return [];
        }

        return runs;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No batch runs yet: {Reason}")]
    private static partial void LogNoTable(ILogger logger, string reason);
}
