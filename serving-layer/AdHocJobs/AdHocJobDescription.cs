using Lambda.Shared.AdHoc;

namespace Lambda.ServingLayer.AdHocJobs;

/// <summary>An ad hoc job as <c>GET /api/admin/jobs/{id}</c> (and the 202 of its submission) describes it.</summary>
/// <param name="Id">The job id.</param>
/// <param name="State">queued, running, succeeded, failed or cancelled.</param>
/// <param name="Format">parquet or csv.</param>
/// <param name="Progress">0–100.</param>
/// <param name="SubmittedAt">When it was submitted.</param>
/// <param name="StartedAt">When a batch worker started it.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="Error">Why it failed (refused or failing SQL).</param>
/// <param name="Rows">Rows in the result.</param>
/// <param name="Bytes">Size of the result file.</param>
/// <param name="SnapshotAt">When the committed snapshot it reads was taken (the start of its run).</param>
/// <param name="Result">Where to download the result, once succeeded.</param>
public sealed record AdHocJobDescription(
    Guid Id,
    string State,
    string Format,
    double Progress,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    long? Rows,
    long? Bytes,
    DateTimeOffset? SnapshotAt,
    string? Result)
{
    /// <summary>The description of <paramref name="job"/>.</summary>
    public static AdHocJobDescription From(AdHocJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new AdHocJobDescription(
            job.Id,
            job.State.ToName(),
            job.Format.ToName(),
            Math.Round(job.Progress, 1),
            job.SubmittedAt,
            job.StartedAt,
            job.FinishedAt,
            job.Error,
            job.Rows,
            job.Bytes,
            job.SnapshotAt,
            job.State == AdHocJobState.Succeeded ? AdHocJobEndpoints.ResultPath(job.Id) : null);
    }
}
