namespace Lambda.Shared.Drift;

/// <summary>The values of <c>drift_audits.outcome</c>.</summary>
public static class DriftOutcomes
{
    /// <summary>The speed deltas and the batch recomputation agree on every bucket, group and measure.</summary>
    public const string Clean = "clean";

    /// <summary>At least one difference was found.</summary>
    public const string Drift = "drift";

    /// <summary>The audit could not run (logged); it says nothing about drift.</summary>
    public const string Failed = "failed";
}
