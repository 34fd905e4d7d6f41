using Lambda.Shared.Batch;

namespace Lambda.ServingLayer.Admin;

/// <summary>The serving layer's seam to the batch layer's job queue (Hangfire on PostgreSQL).</summary>
public interface IBatchJobScheduler
{
    /// <summary>Enqueues a recompute to run now; returns the job id.</summary>
    Task<string> EnqueueRecomputeAsync(RecomputeRequest request, CancellationToken cancellationToken);

    /// <summary>Enqueues ad hoc job <paramref name="jobId"/> (already a row of <c>adhoc_jobs</c>) to run now; returns the Hangfire job id.</summary>
    Task<string> EnqueueAdHocJobAsync(Guid jobId, CancellationToken cancellationToken);
}
