namespace Lambda.BatchLayer.Recompute;

/// <summary>One unit of a distributed recompute: one view's one UTC day.</summary>
/// <param name="Number">Position in the run's plan (0-based); chunks are claimed in this order.</param>
/// <param name="View">View name.</param>
/// <param name="Source">The view's source: a worker claims the claimable chunks of one source on up to <see cref="RecomputeOptions.DaysPerClaim"/> days together and reads their files once.</param>
/// <param name="Day">UTC day the chunk recomputes.</param>
public sealed record RecomputeChunk(int Number, string View, string Source, DateOnly Day);
