namespace Lambda.BatchLayer.Status;

/// <summary>
/// The state of a recompute run in <c>batch_runs.state</c>, stored as the lower-case text given by
/// <see cref="BatchRunStateNames.ToName"/>.
/// </summary>
public enum BatchRunState
{
    /// <summary><c>waiting</c>: recorded, waiting for the recompute lock (another run is active).</summary>
    Waiting,

    /// <summary><c>running</c>: recomputing, publishing or loading into ClickHouse.</summary>
    Running,

    /// <summary><c>succeeded</c>: published and (when enabled) loaded into ClickHouse.</summary>
    Succeeded,

    /// <summary><c>nothing_to_do</c>: no new data since the last published run; nothing was published.</summary>
    NothingToDo,

    /// <summary><c>failed</c>: the run stopped with an error (see <c>batch_runs.error</c>); Hangfire may retry it as a new run.</summary>
    Failed,

    /// <summary><c>cancelled</c>: the host stopped during the run; Hangfire runs the job again after a restart.</summary>
    Cancelled,
}
