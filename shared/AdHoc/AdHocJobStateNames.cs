namespace Lambda.Shared.AdHoc;

/// <summary>The names of <see cref="AdHocJobState"/> in PostgreSQL and in the API (lower case).</summary>
public static class AdHocJobStateNames
{
    /// <summary>The name of <paramref name="state"/>.</summary>
    public static string ToName(this AdHocJobState state) => state switch
    {
        AdHocJobState.Queued => "queued",
        AdHocJobState.Running => "running",
        AdHocJobState.Succeeded => "succeeded",
        AdHocJobState.Failed => "failed",
        AdHocJobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown ad hoc job state"),
    };

    /// <summary>The state named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">Not a state name.</exception>
    public static AdHocJobState Parse(string name) => name switch
    {
        "queued" => AdHocJobState.Queued,
        "running" => AdHocJobState.Running,
        "succeeded" => AdHocJobState.Succeeded,
        "failed" => AdHocJobState.Failed,
        "cancelled" => AdHocJobState.Cancelled,
        _ => throw new InvalidDataException($"'{name}' is not an ad hoc job state"),
    };

    /// <summary>True when the job will not change any more.</summary>
    public static bool IsFinished(this AdHocJobState state) =>
        state is AdHocJobState.Succeeded or AdHocJobState.Failed or AdHocJobState.Cancelled;
}
