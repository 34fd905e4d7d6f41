using System.Collections.Concurrent;
using Lambda.Shared.AdHoc;

namespace Lambda.BatchLayer.Tests.AdHoc;

/// <summary>Ad hoc jobs in memory with the PostgreSQL store's conditional transitions (the store itself is tested against PostgreSQL).</summary>
internal sealed class InMemoryAdHocJobRuns : IAdHocJobRuns
{
    private readonly ConcurrentDictionary<Guid, AdHocJob> _jobs = new();
    private readonly Lock _gate = new();

    public List<double> ProgressReports { get; } = [];

    public AdHocJob Add(string sql, AdHocJobFormat format, AdHocJobState state = AdHocJobState.Queued)
    {
        var job = new AdHocJob(Guid.NewGuid(), sql, format, state, 0, DateTimeOffset.UtcNow, null, null, null, null, null, null, null, null, "1", null, 0);
        _jobs[job.Id] = job;
        return job;
    }

    public AdHocJob this[Guid id] => _jobs[id];

    public void Cancel(Guid id)
    {
        lock (_gate)
        {
            var job = _jobs[id];
            if (job.State is AdHocJobState.Queued or AdHocJobState.Running)
            {
                _jobs[id] = job with { State = AdHocJobState.Cancelled, FinishedAt = DateTimeOffset.UtcNow };
            }
        }
    }

    public Task<AdHocJob?> GetAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(_jobs.GetValueOrDefault(id));

    public Task<AdHocJob?> StartAsync(Guid id, string snapshot, string host, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult(Transition(id, j => j.State is AdHocJobState.Queued or AdHocJobState.Running, j => j with
        {
            State = AdHocJobState.Running, Progress = 0, StartedAt = at, Snapshot = snapshot, SnapshotAt = at, Host = host, Attempts = j.Attempts + 1, Error = null,
        }));

    public Task<AdHocJobState?> ReportProgressAsync(Guid id, double progress, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ProgressReports.Add(progress);
        }

        Transition(id, j => j.State == AdHocJobState.Running, j => j with { Progress = Math.Max(j.Progress, progress) });
        return Task.FromResult(_jobs.TryGetValue(id, out var job) ? job.State : (AdHocJobState?)null);
    }

    public Task<bool> SucceedAsync(Guid id, string resultPath, long rows, long bytes, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult(Transition(id, j => j.State == AdHocJobState.Running, j => j with
        {
            State = AdHocJobState.Succeeded, Progress = 100, ResultPath = resultPath, Rows = rows, Bytes = bytes, FinishedAt = at,
        }) is not null);

    public Task<bool> FailAsync(Guid id, string error, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult(Transition(id, j => j.State is AdHocJobState.Queued or AdHocJobState.Running, j => j with { State = AdHocJobState.Failed, Error = error, FinishedAt = at }) is not null);

    private AdHocJob? Transition(Guid id, Func<AdHocJob, bool> when, Func<AdHocJob, AdHocJob> change)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(id, out var job) || !when(job))
            {
                return null;
            }

            return _jobs[id] = change(job);
        }
    }
}
