namespace Lambda.Shared.AdHoc;

/// <summary>The batch layer's port to the ad hoc job store: take a job, report its progress, record its end.</summary>
public interface IAdHocJobRuns
{
    /// <summary>The job, or null when there is none of that id.</summary>
    Task<AdHocJob?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a queued job (or a running one whose worker died, which Hangfire hands out again) to
    /// <see cref="AdHocJobState.Running"/>, recording the snapshot it reads; null when it is not to run (cancelled, finished, unknown).
    /// </summary>
    Task<AdHocJob?> StartAsync(Guid id, string snapshot, string host, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Stores the progress of a running job and returns its state (cancelled when someone asked to cancel it).</summary>
    Task<AdHocJobState?> ReportProgressAsync(Guid id, double progress, CancellationToken cancellationToken);

    /// <summary>Records the result of a running job; false when it is no longer running (cancelled meanwhile).</summary>
    Task<bool> SucceedAsync(Guid id, string resultPath, long rows, long bytes, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records why a queued or running job failed (a worker may fail it before it starts); false when it had already ended.</summary>
    Task<bool> FailAsync(Guid id, string error, DateTimeOffset at, CancellationToken cancellationToken);
}
