namespace Lambda.Shared.AdHoc;

/// <summary>Where an ad hoc job is (column <c>state</c> of <c>adhoc_jobs</c>; names by <see cref="AdHocJobStateNames"/>).</summary>
public enum AdHocJobState
{
    /// <summary>Submitted, waiting for a batch worker.</summary>
    Queued,

    /// <summary>A batch worker runs it.</summary>
    Running,

    /// <summary>Finished; the result file is in the storage.</summary>
    Succeeded,

    /// <summary>Finished with an error (refused SQL, a DuckDB error); the error says which.</summary>
    Failed,

    /// <summary>Cancelled by a request; a running query was interrupted.</summary>
    Cancelled,
}
