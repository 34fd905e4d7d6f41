using Lambda.Shared.Postgres;
using Lambda.Shared.Batch;
using System.Data.Common;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Lambda.BatchLayer.Status;

/// <summary>The run history in PostgreSQL (tables of <see cref="BatchRunsSchema"/>), through Npgsql.</summary>
public sealed class PostgresBatchRunStore : IBatchRunStore
{
    /// <summary>Longest error text stored; longer texts are cut (stack traces belong in the logs).</summary>
    public const int MaxErrorLength = 4000;

    private const string RunColumns =
        "id, job_id, attempt, requested_by, mode, range_from, range_to, state, stage, started_at, finished_at, "
        + "engine_run_id, rows_read, rows_written, days_recomputed, days_loaded, host, error";

    private readonly BatchDatabase _database;
    private readonly ILogger<PostgresBatchRunStore> _logger;
    private readonly PostgresSchemaGate _schemaGate = new(BatchRunsSchema.SchemaLockKey, BatchRunsSchema.Statements);

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public PostgresBatchRunStore(BatchDatabase database, ILogger<PostgresBatchRunStore> logger)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (await _schemaGate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogDebug("batch_runs and batch_run_days are in place");
        }
    }

    /// <inheritdoc />
    public async Task StartAsync(BatchRunStart run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            """
            INSERT INTO batch_runs (id, job_id, attempt, requested_by, mode, range_from, range_to, state, started_at, host)
            VALUES (@id, @job_id, @attempt, @requested_by, @mode, @range_from, @range_to, @state, @started_at, @host)
            """,
            p =>
            {
                p.AddWithValue("id", run.Id);
                p.Add(new NpgsqlParameter("job_id", NpgsqlDbType.Text) { Value = (object?)run.JobId ?? DBNull.Value });
                p.AddWithValue("attempt", run.Attempt);
                p.AddWithValue("requested_by", run.RequestedBy);
                p.AddWithValue("mode", run.Request.Mode.ToName());
                p.Add(new NpgsqlParameter("range_from", NpgsqlDbType.Date) { Value = run.Request.From is { } from ? from : DBNull.Value });
                p.Add(new NpgsqlParameter("range_to", NpgsqlDbType.Date) { Value = run.Request.To is { } to ? to : DBNull.Value });
                p.AddWithValue("state", BatchRunState.Waiting.ToName());
                p.AddWithValue("started_at", run.StartedAt.ToUniversalTime());
                p.AddWithValue("host", run.Host);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task UpdateProgressAsync(Guid runId, BatchRunState state, string? stage, long rowsRead, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE batch_runs SET state = @state, stage = @stage, rows_read = GREATEST(rows_read, @rows_read) WHERE id = @id AND finished_at IS NULL",
            p =>
            {
                p.AddWithValue("id", runId);
                p.AddWithValue("state", state.ToName());
                p.Add(new NpgsqlParameter("stage", NpgsqlDbType.Text) { Value = (object?)stage ?? DBNull.Value });
                p.AddWithValue("rows_read", rowsRead);
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task RecordResultAsync(Guid runId, RecomputeResult result, IReadOnlyList<BatchRunDay> days, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(days);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var update = new NpgsqlCommand(
            """
            UPDATE batch_runs
            SET engine_run_id = @engine_run_id, rows_read = @rows_read, rows_written = @rows_written, days_recomputed = @days
            WHERE id = @id
            """,
            connection,
            transaction))
        {
            update.Parameters.AddWithValue("id", runId);
            update.Parameters.AddWithValue("engine_run_id", result.RunId);
            update.Parameters.AddWithValue("rows_read", result.RowsRead);
            update.Parameters.AddWithValue("rows_written", result.RowsWritten);
            update.Parameters.AddWithValue("days", days.Count);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (days.Count > 0)
        {
            var batch = new NpgsqlBatch(connection, transaction);
            await using (batch.ConfigureAwait(false))
            {
                foreach (var day in days)
                {
                    var command = new NpgsqlBatchCommand(
                        """
                        INSERT INTO batch_run_days (run_id, view_name, view_hash, day, file, rows, published_at)
                        VALUES (@run_id, @view_name, @view_hash, @day, @file, @rows, @published_at)
                        ON CONFLICT (run_id, view_name, day) DO UPDATE
                        SET view_hash = EXCLUDED.view_hash, file = EXCLUDED.file, rows = EXCLUDED.rows, published_at = EXCLUDED.published_at
                        """);
                    command.Parameters.AddWithValue("run_id", runId);
                    command.Parameters.AddWithValue("view_name", day.View);
                    command.Parameters.AddWithValue("view_hash", day.ViewHash);
                    command.Parameters.AddWithValue("day", day.Day);
                    command.Parameters.AddWithValue("file", day.File);
                    command.Parameters.AddWithValue("rows", day.Rows);
                    command.Parameters.AddWithValue("published_at", day.PublishedAt.ToUniversalTime());
                    batch.BatchCommands.Add(command);
                }

                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task FinishAsync(Guid runId, BatchRunState state, int daysLoaded, string? error, DateTimeOffset finishedAt, CancellationToken cancellationToken)
    {
        if (!state.IsFinal())
        {
            throw new ArgumentException($"A run cannot finish in state {state.ToName()}.", nameof(state));
        }

        var text = error is { Length: > MaxErrorLength } ? error[..MaxErrorLength] : error;
        return ExecuteAsync(
            "UPDATE batch_runs SET state = @state, days_loaded = @days_loaded, error = @error, finished_at = @finished_at WHERE id = @id",
            p =>
            {
                p.AddWithValue("id", runId);
                p.AddWithValue("state", state.ToName());
                p.AddWithValue("days_loaded", daysLoaded);
                p.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)text ?? DBNull.Value });
                p.AddWithValue("finished_at", finishedAt.ToUniversalTime());
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BatchRun?> GetAsync(Guid runId, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var runs = await QueryAsync($"SELECT {RunColumns} FROM batch_runs WHERE id = @id", p => p.AddWithValue("id", runId), ReadRun, cancellationToken)
            .ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchRun>> ListRecentAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(
            $"SELECT {RunColumns} FROM batch_runs ORDER BY started_at DESC, id DESC LIMIT @limit",
            p => p.AddWithValue("limit", limit),
            ReadRun,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchRun>> ListByJobAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(
            $"SELECT {RunColumns} FROM batch_runs WHERE job_id = @job_id ORDER BY attempt, started_at",
            p => p.AddWithValue("job_id", jobId),
            ReadRun,
            cancellationToken).ConfigureAwait(false);
    }

    private static BatchRun ReadRun(DbDataReader r) => new()
    {
        Id = r.GetGuid(0),
        JobId = r.IsDBNull(1) ? null : r.GetString(1),
        Attempt = r.GetInt32(2),
        RequestedBy = r.GetString(3),
        Mode = RecomputeModeNames.Parse(r.GetString(4)),
        From = r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5),
        To = r.IsDBNull(6) ? null : r.GetFieldValue<DateOnly>(6),
        State = BatchRunStateNames.Parse(r.GetString(7)),
        Stage = r.IsDBNull(8) ? null : r.GetString(8),
        StartedAt = r.GetFieldValue<DateTimeOffset>(9),
        FinishedAt = r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
        EngineRunId = r.IsDBNull(11) ? null : r.GetString(11),
        RowsRead = r.GetInt64(12),
        RowsWritten = r.GetInt64(13),
        DaysRecomputed = r.GetInt32(14),
        DaysLoaded = r.GetInt32(15),
        Host = r.GetString(16),
        Error = r.IsDBNull(17) ? null : r.GetString(17),
    };

    private async Task ExecuteAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        bind(command.Parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql, Action<NpgsqlParameterCollection>? bind, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        bind?.Invoke(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
