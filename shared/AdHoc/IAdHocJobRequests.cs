namespace Lambda.Shared.AdHoc;

/// <summary>The serving layer's port to the ad hoc job store: submit, look up, cancel.</summary>
public interface IAdHocJobRequests
{
    /// <summary>Records a new job in state <see cref="AdHocJobState.Queued"/>.</summary>
    Task<AdHocJob> SubmitAsync(Guid id, string sql, AdHocJobFormat format, DateTimeOffset submittedAt, CancellationToken cancellationToken);

    /// <summary>Records the Hangfire job that runs job <paramref name="id"/>.</summary>
    Task SetHangfireJobAsync(Guid id, string hangfireJobId, CancellationToken cancellationToken);

    /// <summary>Marks a queued job failed because it could not be enqueued (it would otherwise wait for ever).</summary>
    Task AbandonAsync(Guid id, string error, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The job, or null when there is none of that id.</summary>
    Task<AdHocJob?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a queued or running job (state <see cref="AdHocJobState.Cancelled"/> at once; a running query notices
    /// within its poll interval and is interrupted). Returns the job as it is afterwards (unchanged when it had already
    /// finished), or null when there is none of that id.
    /// </summary>
    Task<AdHocJob?> CancelAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken);
}
