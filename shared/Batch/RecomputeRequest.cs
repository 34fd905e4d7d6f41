namespace Lambda.Shared.Batch;

/// <summary>What a recompute run should do.</summary>
public sealed record RecomputeRequest
{
    /// <summary>Which days to recompute. Default: <see cref="RecomputeMode.Incremental"/>.</summary>
    public RecomputeMode Mode { get; init; } = RecomputeMode.Incremental;

    /// <summary>First day (UTC) of a backfill; required when <see cref="Mode"/> is Backfill.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last day (UTC, inclusive) of a backfill; required when <see cref="Mode"/> is Backfill.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Views to recompute; null or empty means every view of the catalog.</summary>
    public IReadOnlyList<string>? Views { get; init; }
}
