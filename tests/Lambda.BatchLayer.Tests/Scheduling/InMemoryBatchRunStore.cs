using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Status;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>An <see cref="IBatchRunStore"/> in memory with the PostgreSQL store's semantics (for unit tests of the runner).</summary>
public sealed class InMemoryBatchRunStore : IBatchRunStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, BatchRun> _runs = [];
    private readonly List<BatchRunDay> _days = [];

    public List<(BatchRunState State, string? Stage)> Progress { get; } = [];

    /// <summary>The published days recorded so far, in order.</summary>
    public IReadOnlyList<BatchRunDay> Days
    {
        get
        {
            lock (_gate)
            {
                return [.. _days];
            }
        }
    }

    /// <summary>When set, the next <see cref="RecordResultAsync"/> fails with this message (as if PostgreSQL went away).</summary>
    public string? FailNextRecordResult { get; set; }

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(BatchRunStart run, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _runs.Add(run.Id, new BatchRun
            {
                Id = run.Id,
                JobId = run.JobId,
                Attempt = run.Attempt,
                RequestedBy = run.RequestedBy,
                Mode = run.Request.Mode,
                From = run.Request.From,
                To = run.Request.To,
                State = BatchRunState.Waiting,
                StartedAt = run.StartedAt,
                Host = run.Host,
            });
        }

        return Task.CompletedTask;
    }

    public Task UpdateProgressAsync(Guid runId, BatchRunState state, string? stage, long rowsRead, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Progress.Add((state, stage));
            var run = _runs[runId];
            _runs[runId] = run with { State = state, Stage = stage, RowsRead = Math.Max(run.RowsRead, rowsRead) };
        }

        return Task.CompletedTask;
    }

    public Task RecordResultAsync(Guid runId, RecomputeResult result, IReadOnlyList<BatchRunDay> days, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (FailNextRecordResult is { } failure)
            {
                FailNextRecordResult = null;
                return Task.FromException(new IOException(failure));
            }

            _runs[runId] = _runs[runId] with
            {
                EngineRunId = result.RunId,
                RowsRead = result.RowsRead,
                RowsWritten = result.RowsWritten,
                DaysRecomputed = days.Count,
            };
            _days.AddRange(days);
        }

        return Task.CompletedTask;
    }

    public Task FinishAsync(Guid runId, BatchRunState state, int daysLoaded, string? error, DateTimeOffset finishedAt, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _runs[runId] = _runs[runId] with { State = state, DaysLoaded = daysLoaded, Error = error, FinishedAt = finishedAt };
        }

        return Task.CompletedTask;
    }

    public Task<BatchRun?> GetAsync(Guid runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_runs.GetValueOrDefault(runId));
        }
    }

    public Task<IReadOnlyList<BatchRun>> ListRecentAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<BatchRun>>(_runs.Values.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(limit).ToList());
        }
    }

    public Task<IReadOnlyList<BatchRun>> ListByJobAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<BatchRun>>(_runs.Values.Where(r => r.JobId == jobId).OrderBy(r => r.Attempt).ToList());
        }
    }
}
