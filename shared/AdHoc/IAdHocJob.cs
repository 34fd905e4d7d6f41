namespace Lambda.Shared.AdHoc;

/// <summary>
/// An ad hoc job as a Hangfire job, named by an interface in Lambda.Shared (as <see cref="Batch.IRecomputeJob"/>): the
/// serving layer enqueues it on the queue <c>batch</c> in the PostgreSQL storage, any batch-layer worker runs it.
/// </summary>
public interface IAdHocJob
{
    /// <summary>Runs job <paramref name="jobId"/> (a row of <c>adhoc_jobs</c>).</summary>
    /// <param name="jobId">The job id (<see cref="Guid"/>, "D" format).</param>
    /// <param name="cancellationToken">Hangfire's job cancellation token (enqueue with <see cref="CancellationToken.None"/>).</param>
    Task RunAsync(string jobId, CancellationToken cancellationToken);
}
