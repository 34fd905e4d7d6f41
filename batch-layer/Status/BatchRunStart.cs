using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Batch;

namespace Lambda.BatchLayer.Status;

/// <summary>What is known about a run when it is recorded.</summary>
public sealed record BatchRunStart
{
    /// <summary>The run id (a version-7 UUID, so ids sort by start time).</summary>
    public required Guid Id { get; init; }

    /// <summary>The recompute request.</summary>
    public required RecomputeRequest Request { get; init; }

    /// <summary>Who asked for the run: <c>schedule</c>, <c>cli</c>, <c>api</c>, ...</summary>
    public required string RequestedBy { get; init; }

    /// <summary>The Hangfire job id; null for a run started in-process from the command line.</summary>
    public string? JobId { get; init; }

    /// <summary>1 for the first attempt of a job, 2 for its first retry, ...</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The machine (and process) that runs it.</summary>
    public required string Host { get; init; }

    /// <summary>When the run was recorded (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }
}
