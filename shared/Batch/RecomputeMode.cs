namespace Lambda.Shared.Batch;

/// <summary>Which days a recompute covers.</summary>
public enum RecomputeMode
{
    /// <summary>Only the days that received data since the last published run.</summary>
    Incremental,

    /// <summary>Every day in the master dataset.</summary>
    Full,

    /// <summary>The days of <see cref="RecomputeRequest.From"/>..<see cref="RecomputeRequest.To"/> (inclusive).</summary>
    Backfill,
}
