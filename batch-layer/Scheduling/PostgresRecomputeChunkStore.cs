using System.Text.Json;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Status;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Storage;
using Lambda.Shared.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// <see cref="IRecomputeChunkStore"/> in PostgreSQL (<see cref="RecomputeChunkSchema"/>), shared by every batch-layer
/// instance on the same database. Leases are times of the database's clock (<c>now()</c>), so workers on machines with
/// different clocks agree on when one ran out; a claim is one conditional <c>UPDATE</c> (<c>FOR UPDATE SKIP LOCKED</c>), so
/// two workers never hold one chunk. Runs are those of this instance's dataset root (<c>Batch:DatasetRoot</c>, as the
/// full path: every instance mounts the shared storage at the same path, as the serving layer does). Runs that ended more than <see cref="KeepEndedRuns"/> ago are deleted when a run starts.
/// </summary>
public sealed class PostgresRecomputeChunkStore : IRecomputeChunkStore
{
    /// <summary>How long an ended run's chunks are kept (for inspection) before a new run deletes them.</summary>
    public static readonly TimeSpan KeepEndedRuns = TimeSpan.FromDays(7);

    /// <summary>Longest error text stored.</summary>
    public const int MaxErrorLength = 2000;

    private readonly BatchDatabase _database;
    private readonly string _dataset;
    private readonly PostgresSchemaGate _gate = new(RecomputeChunkSchema.SchemaLockKey, RecomputeChunkSchema.Statements);

    /// <summary>
    /// Creates the store over <paramref name="database"/> for one dataset: the location of <paramref name="store"/> (on the
    /// s3 kind the bucket and prefix, which every worker shares whatever its local root; on the local kind the dataset
    /// root), or without it the dataset root of <paramref name="storage"/>.
    /// </summary>
    public PostgresRecomputeChunkStore(BatchDatabase database, IOptions<BatchStorageOptions> storage, IObjectStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _dataset = store?.Location ?? storage.Value.ResolveRoot();
    }

    /// <inheritdoc/>
    public async Task CreateRunAsync(ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, string coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(chunks);
        await _gate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var tidy = new NpgsqlCommand(
            """
            UPDATE recompute_chunk_runs SET state = 'abandoned', finished_at = now() WHERE state = 'running' AND dataset = @dataset;
            DELETE FROM recompute_chunk_runs WHERE finished_at < now() - @keep;
            """,
            connection,
            transaction))
        {
            tidy.Parameters.AddWithValue("keep", KeepEndedRuns);
            tidy.Parameters.AddWithValue("dataset", _dataset);
            await tidy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var run = new NpgsqlCommand(
            "INSERT INTO recompute_chunk_runs (run_id, dataset, state, coordinator, spec, chunks) VALUES (@run, @dataset, 'running', @coordinator, @spec, @chunks)",
            connection,
            transaction))
        {
            run.Parameters.AddWithValue("run", spec.RunId);
            run.Parameters.AddWithValue("dataset", _dataset);
            run.Parameters.AddWithValue("coordinator", coordinator);
            run.Parameters.Add(new NpgsqlParameter("spec", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(spec) });
            run.Parameters.AddWithValue("chunks", chunks.Count);
            await run.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO recompute_chunks (run_id, number, view_name, source, day, state)
            SELECT @run, c.number, c.view_name, c.source, c.day, 'pending' FROM unnest(@numbers, @views, @sources, @days) AS c(number, view_name, source, day)
            """,
            connection,
            transaction))
        {
            insert.Parameters.AddWithValue("run", spec.RunId);
            insert.Parameters.AddWithValue("numbers", chunks.Select(c => c.Number).ToArray());
            insert.Parameters.AddWithValue("views", chunks.Select(c => c.View).ToArray());
            insert.Parameters.AddWithValue("sources", chunks.Select(c => c.Source).ToArray());
            insert.Parameters.AddWithValue("days", chunks.Select(c => c.Day).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<string?> TryAdoptRunAsync(
        ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, string coordinator, string? publishedRunId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(chunks);
        await _gate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var candidates = new List<(string RunId, string Coordinator, ChunkRunSpec Spec)>();
        await using (var runs = new NpgsqlCommand(
            "SELECT run_id, coordinator, spec::text FROM recompute_chunk_runs WHERE dataset = @dataset AND state = 'running' ORDER BY created_at DESC FOR UPDATE",
            connection,
            transaction))
        {
            runs.Parameters.AddWithValue("dataset", _dataset);
            await using var reader = await runs.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var old = JsonSerializer.Deserialize<ChunkRunSpec>(reader.GetString(2));
                if (old is not null && old.HasSameInputsAs(spec) && !string.Equals(reader.GetString(0), publishedRunId, StringComparison.Ordinal))
                {
                    candidates.Add((reader.GetString(0), reader.GetString(1), old));
                }
            }
        }

        foreach (var (runId, oldCoordinator, _) in candidates)
        {
            if (!await HasChunksAsync(connection, transaction, runId, chunks, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // Its coordinator is gone (this one holds the recompute lock): what it held is claimable now, not after its lease.
            await using var adopt = new NpgsqlCommand(
                """
                UPDATE recompute_chunk_runs SET coordinator = @coordinator WHERE run_id = @run;
                UPDATE recompute_chunk_runs SET state = 'abandoned', finished_at = now() WHERE state = 'running' AND dataset = @dataset AND run_id <> @run;
                UPDATE recompute_chunks SET state = 'pending', worker = NULL, lease_until = NULL WHERE run_id = @run AND state = 'running' AND worker = @old;
                """,
                connection,
                transaction);
            adopt.Parameters.AddWithValue("coordinator", coordinator);
            adopt.Parameters.AddWithValue("run", runId);
            adopt.Parameters.AddWithValue("old", oldCoordinator);
            adopt.Parameters.AddWithValue("dataset", _dataset);
            await adopt.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return runId;
        }

        return null;
    }

    /// <summary>Whether run <paramref name="runId"/>'s chunks are exactly <paramref name="chunks"/> and none failed.</summary>
    private static async Task<bool> HasChunksAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, IReadOnlyList<RecomputeChunk> chunks, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT number, view_name, source, day, state FROM recompute_chunks WHERE run_id = @run ORDER BY number", connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var stored = new List<RecomputeChunk>(chunks.Count);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetString(4) == "failed")
            {
                return false;
            }

            stored.Add(new RecomputeChunk(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateOnly>(3)));
        }

        return stored.SequenceEqual(chunks);
    }

    /// <inheritdoc/>
    public async Task<ChunkRunSpec?> GetRunningSpecAsync(string runId, CancellationToken cancellationToken)
    {
        await _gate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false);
        await using var command = _database.DataSource.CreateCommand("SELECT spec::text FROM recompute_chunk_runs WHERE run_id = @run AND dataset = @dataset AND state = 'running'");
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("dataset", _dataset);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json
            ? JsonSerializer.Deserialize<ChunkRunSpec>(json) ?? throw new InvalidDataException($"recompute run {runId} has an empty spec")
            : null;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RecomputeChunk>> TryClaimAsync(string runId, int? number, string worker, TimeSpan lease, int maxDays, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDays, 1);
        await _gate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false);
        // The first claimable chunk (or the one asked for) decides the source and first day; the claimable chunks of that
        // source on the first @days claimable days from there come along. A sibling locked by a concurrent claim is skipped.
        await using var command = _database.DataSource.CreateCommand(
            """
            WITH first AS (
                SELECT k.source, k.day FROM recompute_chunks k JOIN recompute_chunk_runs r ON r.run_id = k.run_id
                WHERE k.run_id = @run AND r.dataset = @dataset AND r.state = 'running' AND (@number::integer IS NULL OR k.number = @number::integer)
                  AND (k.state = 'pending' OR (k.state = 'running' AND k.lease_until < now()))
                ORDER BY k.number LIMIT 1 FOR UPDATE OF k SKIP LOCKED
            ), days AS (
                SELECT DISTINCT k.day FROM recompute_chunks k JOIN first f ON k.source = f.source AND k.day >= f.day
                WHERE k.run_id = @run AND (k.state = 'pending' OR (k.state = 'running' AND k.lease_until < now()))
                ORDER BY k.day LIMIT @days
            ), pick AS (
                SELECT k.number FROM recompute_chunks k JOIN first f ON k.source = f.source JOIN days d ON k.day = d.day
                WHERE k.run_id = @run AND (k.state = 'pending' OR (k.state = 'running' AND k.lease_until < now()))
                FOR UPDATE OF k SKIP LOCKED
            )
            UPDATE recompute_chunks c SET state = 'running', worker = @worker, lease_until = now() + @lease, claims = c.claims + 1
            FROM pick WHERE c.run_id = @run AND c.number = pick.number
            RETURNING c.number, c.view_name, c.source, c.day
            """);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.Add(new NpgsqlParameter("number", NpgsqlDbType.Integer) { Value = (object?)number ?? DBNull.Value });
        command.Parameters.AddWithValue("worker", worker);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.AddWithValue("days", maxDays);
        command.Parameters.AddWithValue("dataset", _dataset);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var chunks = new List<RecomputeChunk>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            chunks.Add(new RecomputeChunk(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateOnly>(3)));
        }

        chunks.Sort((a, b) => a.Number.CompareTo(b.Number));
        return chunks;
    }

    /// <inheritdoc/>
    public async Task<bool> RenewAsync(string runId, IReadOnlyList<int> numbers, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        await using var transaction = await HeldAsync(runId, numbers, worker, cancellationToken).ConfigureAwait(false);
        if (transaction is null)
        {
            return false;
        }

        await transaction.ExecuteAsync(
            "UPDATE recompute_chunks SET lease_until = now() + @lease WHERE run_id = @run AND number = ANY(@numbers)",
            p => p.AddWithValue("lease", lease),
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async Task<bool> CompleteAsync(string runId, IReadOnlyList<ChunkOutcome> outcomes, string worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        await using var transaction = await HeldAsync(runId, outcomes.Select(o => o.Number).ToArray(), worker, cancellationToken).ConfigureAwait(false);
        if (transaction is null)
        {
            return false;
        }

        await transaction.ExecuteAsync(
            """
            UPDATE recompute_chunks c SET state = 'done', rows_written = o.rows_written, rows_read = o.rows_read, file = o.file, finished_at = now()
            FROM unnest(@numbers, @rows, @rows_read, @files) AS o(number, rows_written, rows_read, file)
            WHERE c.run_id = @run AND c.number = o.number
            """,
            p =>
            {
                p.AddWithValue("rows", outcomes.Select(o => o.Rows).ToArray());
                p.AddWithValue("rows_read", outcomes.Select(o => o.RowsRead).ToArray());
                p.Add(new NpgsqlParameter("files", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = outcomes.Select(o => o.File).ToArray() });
            },
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public Task FailAsync(string runId, IReadOnlyList<int> numbers, string worker, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return UpdateHeldAsync(
            "UPDATE recompute_chunks SET state = 'failed', error = @error, finished_at = now() WHERE run_id = @run AND number = ANY(@numbers) AND worker = @worker AND state = 'running'",
            runId,
            numbers,
            worker,
            p => p.AddWithValue("error", error.Length > MaxErrorLength ? error[..MaxErrorLength] : error),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task ReleaseAsync(string runId, IReadOnlyList<int> numbers, string worker, CancellationToken cancellationToken) =>
        UpdateHeldAsync(
            "UPDATE recompute_chunks SET state = 'pending', worker = NULL, lease_until = NULL WHERE run_id = @run AND number = ANY(@numbers) AND worker = @worker AND state = 'running'",
            runId,
            numbers,
            worker,
            _ => { },
            cancellationToken);

    /// <inheritdoc/>
    public async Task<ChunkRunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken)
    {
        await _gate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false);
        await using var command = _database.DataSource.CreateCommand(
            "SELECT number, view_name, day, state, worker, rows_written, rows_read, file, error FROM recompute_chunks WHERE run_id = @run ORDER BY number");
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var total = 0;
        var outcomes = new List<ChunkOutcome>();
        var byWorker = new Dictionary<string, int>(StringComparer.Ordinal);
        string? failure = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            total++;
            var state = reader.GetString(3);
            var worker = reader.IsDBNull(4) ? "?" : reader.GetString(4);
            if (state == "done")
            {
                outcomes.Add(new ChunkOutcome(reader.GetInt32(0), reader.GetInt64(5), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt64(6)));
                byWorker[worker] = byWorker.GetValueOrDefault(worker) + 1;
            }
            else if (state == "failed" && failure is null)
            {
                failure = $"chunk {reader.GetInt32(0)} ({reader.GetString(1)}, {reader.GetFieldValue<DateOnly>(2):yyyy-MM-dd}) on {worker}: {(reader.IsDBNull(8) ? "?" : reader.GetString(8))}";
            }
        }

        if (total == 0)
        {
            throw new InvalidOperationException($"recompute run {runId} has no chunks recorded");
        }

        return new ChunkRunStatus(total, outcomes, failure, byWorker);
    }

    /// <inheritdoc/>
    public async Task FinishRunAsync(string runId, bool published, CancellationToken cancellationToken)
    {
        await _gate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false);
        await using var command = _database.DataSource.CreateCommand(
            "UPDATE recompute_chunk_runs SET state = @state, finished_at = now() WHERE run_id = @run AND state = 'running'");
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("state", published ? "published" : "failed");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task UpdateHeldAsync(string sql, string runId, IReadOnlyList<int> numbers, string worker, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        await _gate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false);
        await using var command = _database.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("numbers", numbers.ToArray());
        command.Parameters.AddWithValue("worker", worker);
        parameters(command.Parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // A transaction holding the rows of the chunks when the worker still holds every one of them (running, its name); null otherwise.
    private async Task<HeldChunks?> HeldAsync(string runId, IReadOnlyList<int> numbers, string worker, CancellationToken cancellationToken)
    {
        await _gate.EnsureAsync(_database.DataSource, cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var held = new HeldChunks(connection, await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false), runId, numbers.ToArray());
        try
        {
            var count = await held.ScalarAsync(
                "SELECT count(*) FROM (SELECT 1 FROM recompute_chunks WHERE run_id = @run AND number = ANY(@numbers) AND worker = @worker AND state = 'running' FOR UPDATE) AS h",
                p => p.AddWithValue("worker", worker),
                cancellationToken).ConfigureAwait(false);
            if (count == numbers.Count)
            {
                return held;
            }
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await held.DisposeAsync().ConfigureAwait(false);
        return null;
    }
}
