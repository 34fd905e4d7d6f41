using System.Collections.Concurrent;
using Lambda.Shared.AdHoc;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Ad hoc jobs in memory, with the PostgreSQL store's transitions (its own tests run against PostgreSQL).</summary>
internal sealed class InMemoryAdHocJobRequests : IAdHocJobRequests
{
    private readonly ConcurrentDictionary<Guid, AdHocJob> _jobs = new();

    public Task<AdHocJob> SubmitAsync(Guid id, string sql, AdHocJobFormat format, DateTimeOffset submittedAt, CancellationToken cancellationToken)
    {
        var job = new AdHocJob(id, sql, format, AdHocJobState.Queued, 0, submittedAt, null, null, null, null, null, null, null, null, null, null, 0);
        Assert.True(_jobs.TryAdd(id, job));
        return Task.FromResult(job);
    }

    public Task SetHangfireJobAsync(Guid id, string hangfireJobId, CancellationToken cancellationToken)
    {
        _jobs.AddOrUpdate(id, _ => throw new InvalidOperationException("unknown job"), (_, j) => j with { HangfireJobId = hangfireJobId });
        return Task.CompletedTask;
    }

    public Task AbandonAsync(Guid id, string error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _jobs.AddOrUpdate(id, _ => throw new InvalidOperationException("unknown job"), (_, j) => j with { State = AdHocJobState.Failed, Error = error, FinishedAt = at });
        return Task.CompletedTask;
    }

    public Task<AdHocJob?> GetAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(_jobs.GetValueOrDefault(id));

    public Task<AdHocJob?> CancelAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!_jobs.TryGetValue(id, out var job))
        {
            return Task.FromResult<AdHocJob?>(null);
        }

        if (job.State is AdHocJobState.Queued or AdHocJobState.Running)
        {
            job = _jobs[id] = job with { State = AdHocJobState.Cancelled, FinishedAt = at };
        }

        return Task.FromResult<AdHocJob?>(job);
    }

    /// <summary>Puts a job in a given state, as a batch worker would have.</summary>
    public void Set(AdHocJob job) => _jobs[job.Id] = job;
}
