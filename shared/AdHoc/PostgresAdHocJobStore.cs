using Lambda.Shared.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Lambda.Shared.AdHoc;

/// <summary>
/// The ad hoc job store in PostgreSQL (<see cref="AdHocJobSchema"/>), one class behind both owners' ports: the serving
/// layer's <see cref="IAdHocJobRequests"/> and the batch layer's <see cref="IAdHocJobRuns"/>. Every state change is one
/// conditional UPDATE, so a cancel and a worker's end cannot both win: a job cancelled while it runs stays cancelled.
/// </summary>
public sealed class PostgresAdHocJobStore(NpgsqlDataSource dataSource) : IAdHocJobRequests, IAdHocJobRuns
{
    /// <summary>Longest error text stored; longer texts are cut (stack traces belong in the logs).</summary>
    public const int MaxErrorLength = 4000;

    private const string Columns =
        "id, sql, format, state, progress, submitted_at, started_at, finished_at, error, result_path, rows, bytes, "
        + "snapshot::text, snapshot_at, hangfire_job_id, host, attempts";

    private readonly PostgresSchemaGate _schemaGate = new(AdHocJobSchema.SchemaLockKey, AdHocJobSchema.Statements);

    /// <summary>Creates the table unless this instance already did.</summary>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => _schemaGate.EnsureAsync(dataSource, cancellationToken);

    /// <inheritdoc />
    public async Task<AdHocJob> SubmitAsync(Guid id, string sql, AdHocJobFormat format, DateTimeOffset submittedAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return await QuerySingleAsync(
            $"INSERT INTO adhoc_jobs (id, sql, format, state, submitted_at) VALUES (@id, @sql, @format, 'queued', @at) RETURNING {Columns}",
            p =>
            {
                p.AddWithValue("id", id);
                p.AddWithValue("sql", sql);
                p.AddWithValue("format", format.ToName());
                p.AddWithValue("at", submittedAt.ToUniversalTime());
            },
            cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"inserting ad hoc job {id} returned no row");
    }

    /// <inheritdoc />
    public Task SetHangfireJobAsync(Guid id, string hangfireJobId, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE adhoc_jobs SET hangfire_job_id = @job WHERE id = @id",
            p =>
            {
                p.AddWithValue("id", id);
                p.AddWithValue("job", hangfireJobId);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task AbandonAsync(Guid id, string error, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE adhoc_jobs SET state = 'failed', error = @error, finished_at = @at WHERE id = @id AND state = 'queued'",
            p =>
            {
                p.AddWithValue("id", id);
                p.AddWithValue("error", Cut(error));
                p.AddWithValue("at", at.ToUniversalTime());
            },
            cancellationToken);

    /// <inheritdoc cref="IAdHocJobRequests.GetAsync" />
    public Task<AdHocJob?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        QuerySingleAsync($"SELECT {Columns} FROM adhoc_jobs WHERE id = @id", p => p.AddWithValue("id", id), cancellationToken);

    /// <inheritdoc />
    public async Task<AdHocJob?> CancelAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var cancelled = await QuerySingleAsync(
            $"UPDATE adhoc_jobs SET state = 'cancelled', finished_at = @at WHERE id = @id AND state IN ('queued', 'running') RETURNING {Columns}",
            p =>
            {
                p.AddWithValue("id", id);
                p.AddWithValue("at", at.ToUniversalTime());
            },
            cancellationToken).ConfigureAwait(false);
        return cancelled ?? await GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<AdHocJob?> StartAsync(Guid id, string snapshot, string host, DateTimeOffset at, CancellationToken cancellationToken) =>
        QuerySingleAsync(
            $"""
            UPDATE adhoc_jobs SET state = 'running', progress = 0, started_at = @at, snapshot = @snapshot, snapshot_at = @at, host = @host,
                attempts = attempts + 1, error = NULL
            WHERE id = @id AND state IN ('queued', 'running')
            RETURNING {Columns}
            """,
            p =>
            {
                p.AddWithValue("id", id);
                p.Add(new NpgsqlParameter("snapshot", NpgsqlDbType.Jsonb) { Value = snapshot });
                p.AddWithValue("host", host);
                p.AddWithValue("at", at.ToUniversalTime());
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<AdHocJobState?> ReportProgressAsync(Guid id, double progress, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(
            """
            WITH updated AS (UPDATE adhoc_jobs SET progress = GREATEST(progress, @progress) WHERE id = @id AND state = 'running' RETURNING id)
            SELECT state FROM adhoc_jobs WHERE id = @id
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("progress", Math.Clamp(progress, 0, 100));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string state ? AdHocJobStateNames.Parse(state) : null;
    }

    /// <inheritdoc />
    public async Task<bool> SucceedAsync(Guid id, string resultPath, long rows, long bytes, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            """
            UPDATE adhoc_jobs SET state = 'succeeded', progress = 100, result_path = @path, rows = @rows, bytes = @bytes, finished_at = @at
            WHERE id = @id AND state = 'running'
            """,
            p =>
            {
                p.AddWithValue("id", id);
                p.AddWithValue("path", resultPath);
                p.AddWithValue("rows", rows);
                p.AddWithValue("bytes", bytes);
                p.AddWithValue("at", at.ToUniversalTime());
            },
            cancellationToken).ConfigureAwait(false) == 1;

    /// <inheritdoc />
    public async Task<bool> FailAsync(Guid id, string error, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "UPDATE adhoc_jobs SET state = 'failed', error = @error, finished_at = @at WHERE id = @id AND state IN ('queued', 'running')",
            p =>
            {
                p.AddWithValue("id", id);
                p.AddWithValue("error", Cut(error));
                p.AddWithValue("at", at.ToUniversalTime());
            },
            cancellationToken).ConfigureAwait(false) == 1;

    private static string Cut(string error) => error.Length <= MaxErrorLength ? error : error[..MaxErrorLength];

    private async Task<int> ExecuteAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(sql);
        bind(command.Parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<AdHocJob?> QuerySingleAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(sql);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new AdHocJob(
            reader.GetGuid(0),
            reader.GetString(1),
            AdHocJobFormatNames.TryParse(reader.GetString(2), out var format) ? format.Value : throw new InvalidDataException($"ad hoc job format '{reader.GetString(2)}'"),
            AdHocJobStateNames.Parse(reader.GetString(3)),
            reader.GetDouble(4),
            reader.GetFieldValue<DateTimeOffset>(5),
            NullableTime(reader, 6),
            NullableTime(reader, 7),
            NullableString(reader, 8),
            NullableString(reader, 9),
            reader.IsDBNull(10) ? null : reader.GetInt64(10),
            reader.IsDBNull(11) ? null : reader.GetInt64(11),
            NullableString(reader, 12),
            NullableTime(reader, 13),
            NullableString(reader, 14),
            NullableString(reader, 15),
            reader.GetInt32(16));
    }

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
