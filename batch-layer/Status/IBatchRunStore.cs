using Lambda.Shared.Batch;
using Lambda.BatchLayer.Recompute;

namespace Lambda.BatchLayer.Status;

/// <summary>
/// The run history (<c>batch_runs</c>) and the published days (<c>batch_run_days</c>) in PostgreSQL;
/// the serving layer reads <c>batch_runs</c> directly (schema in <see cref="BatchRunsSchema"/>).
/// </summary>
public interface IBatchRunStore
{
    /// <summary>Creates the tables when missing (idempotent, safe to run from several processes at once).</summary>
    Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Records a new run in state <see cref="BatchRunState.Waiting"/>.</summary>
    Task StartAsync(BatchRunStart run, CancellationToken cancellationToken);

    /// <summary>Sets the state and the progress of an active run.</summary>
    Task UpdateProgressAsync(Guid runId, BatchRunState state, string? stage, long rowsRead, CancellationToken cancellationToken);

    /// <summary>
    /// Records what the engine published: the engine's run id, row counts, and one
    /// <c>batch_run_days</c> row per recomputed day (with the view's definition hash).
    /// </summary>
    Task RecordResultAsync(Guid runId, RecomputeResult result, IReadOnlyList<BatchRunDay> days, CancellationToken cancellationToken);

    /// <summary>Ends a run: final state, days loaded, error text (null unless it failed).</summary>
    Task FinishAsync(Guid runId, BatchRunState state, int daysLoaded, string? error, DateTimeOffset finishedAt, CancellationToken cancellationToken);

    /// <summary>One run, or null.</summary>
    Task<BatchRun?> GetAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>The newest runs first.</summary>
    Task<IReadOnlyList<BatchRun>> ListRecentAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Every attempt recorded for a Hangfire job, oldest first.</summary>
    Task<IReadOnlyList<BatchRun>> ListByJobAsync(string jobId, CancellationToken cancellationToken);
}
