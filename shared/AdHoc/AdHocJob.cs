namespace Lambda.Shared.AdHoc;

/// <summary>One row of <c>adhoc_jobs</c> (<see cref="AdHocJobSchema"/>).</summary>
/// <param name="Id">The job id (also the result's folder name).</param>
/// <param name="Sql">The SQL (one DuckDB SELECT over <c>master_&lt;source&gt;</c> and <c>batch_&lt;view&gt;</c>).</param>
/// <param name="Format">The result's file format.</param>
/// <param name="State">Where the job is.</param>
/// <param name="Progress">0–100: DuckDB's estimate while running, 100 when succeeded.</param>
/// <param name="SubmittedAt">When it was submitted (UTC).</param>
/// <param name="StartedAt">When a worker last started it (UTC).</param>
/// <param name="FinishedAt">When it succeeded, failed or was cancelled (UTC).</param>
/// <param name="Error">Why it failed.</param>
/// <param name="ResultPath">The result file, relative to the dataset root (<see cref="AdHocJobLayout"/>), once succeeded.</param>
/// <param name="Rows">Rows in the result.</param>
/// <param name="Bytes">Size of the result file.</param>
/// <param name="Snapshot">The committed snapshot the job read (JSON: per source the committed offsets and files, per view the published files), taken when it started.</param>
/// <param name="SnapshotAt">When that snapshot was taken (UTC): the start of the run that produced the result.</param>
/// <param name="HangfireJobId">The Hangfire job that runs it.</param>
/// <param name="Host">The batch worker that last started it.</param>
/// <param name="Attempts">How many times a worker started it.</param>
public sealed record AdHocJob(
    Guid Id,
    string Sql,
    AdHocJobFormat Format,
    AdHocJobState State,
    double Progress,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    string? ResultPath,
    long? Rows,
    long? Bytes,
    string? Snapshot,
    DateTimeOffset? SnapshotAt,
    string? HangfireJobId,
    string? Host,
    int Attempts);
