namespace Lambda.BatchLayer.Status;

/// <summary>The stored names of <see cref="BatchRunState"/> values.</summary>
public static class BatchRunStateNames
{
    /// <summary>The text stored in <c>batch_runs.state</c>.</summary>
    public static string ToName(this BatchRunState state) => state switch
    {
        BatchRunState.Waiting => "waiting",
        BatchRunState.Running => "running",
        BatchRunState.Succeeded => "succeeded",
        BatchRunState.NothingToDo => "nothing_to_do",
        BatchRunState.Failed => "failed",
        BatchRunState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown batch run state."),
    };

    /// <summary>Parses a stored state name.</summary>
    /// <exception cref="FormatException">Not a state name.</exception>
    public static BatchRunState Parse(string name) => name switch
    {
        "waiting" => BatchRunState.Waiting,
        "running" => BatchRunState.Running,
        "succeeded" => BatchRunState.Succeeded,
        "nothing_to_do" => BatchRunState.NothingToDo,
        "failed" => BatchRunState.Failed,
        "cancelled" => BatchRunState.Cancelled,
        _ => throw new FormatException($"'{name}' is not a batch run state (waiting, running, succeeded, nothing_to_do, failed, cancelled)."),
    };

    /// <summary>True for the states a run ends in.</summary>
    public static bool IsFinal(this BatchRunState state) =>
        state is BatchRunState.Succeeded or BatchRunState.NothingToDo or BatchRunState.Failed or BatchRunState.Cancelled;
}
