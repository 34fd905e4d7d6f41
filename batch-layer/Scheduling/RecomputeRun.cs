using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Batch;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>One recompute to run: the request and who asked for it.</summary>
public sealed record RecomputeRun
{
    /// <summary>What to recompute.</summary>
    public required RecomputeRequest Request { get; init; }

    /// <summary>Who asked: <c>schedule</c>, <c>cli</c>, <c>api</c>, ... (recorded in <c>batch_runs.requested_by</c>).</summary>
    public required string RequestedBy { get; init; }

    /// <summary>The Hangfire job id, when the run is a job.</summary>
    public string? JobId { get; init; }

    /// <summary>1 for the first attempt, 2 for the first retry, ...</summary>
    public int Attempt { get; init; } = 1;
}
