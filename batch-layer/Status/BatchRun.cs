using Lambda.Shared.Batch;
using Lambda.BatchLayer.Recompute;

namespace Lambda.BatchLayer.Status;

/// <summary>One row of <c>batch_runs</c>: one attempt of a recompute (see <see cref="BatchRunsSchema"/>).</summary>
public sealed record BatchRun
{
    /// <summary><c>id</c>: the run id.</summary>
    public required Guid Id { get; init; }

    /// <summary><c>job_id</c>: the Hangfire job id, null for an in-process command-line run.</summary>
    public string? JobId { get; init; }

    /// <summary><c>attempt</c>: 1 for a job's first attempt, 2 for its first retry, ...</summary>
    public required int Attempt { get; init; }

    /// <summary><c>requested_by</c>: <c>schedule</c>, <c>cli</c>, <c>api</c>, ...</summary>
    public required string RequestedBy { get; init; }

    /// <summary><c>mode</c>: incremental, full or backfill.</summary>
    public required RecomputeMode Mode { get; init; }

    /// <summary><c>range_from</c>: first day of a backfill.</summary>
    public DateOnly? From { get; init; }

    /// <summary><c>range_to</c>: last day (inclusive) of a backfill.</summary>
    public DateOnly? To { get; init; }

    /// <summary><c>state</c>.</summary>
    public required BatchRunState State { get; init; }

    /// <summary><c>stage</c>: the last progress stage reported.</summary>
    public string? Stage { get; init; }

    /// <summary><c>started_at</c> (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary><c>finished_at</c> (UTC), null while the run is active.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary><c>engine_run_id</c>: the engine's run id (names the published files).</summary>
    public string? EngineRunId { get; init; }

    /// <summary><c>rows_read</c>: master-dataset rows read.</summary>
    public long RowsRead { get; init; }

    /// <summary><c>rows_written</c>: batch-view rows written.</summary>
    public long RowsWritten { get; init; }

    /// <summary><c>days_recomputed</c>: (view, day) pairs published.</summary>
    public int DaysRecomputed { get; init; }

    /// <summary><c>days_loaded</c>: (view, day) pairs loaded into ClickHouse by this run.</summary>
    public int DaysLoaded { get; init; }

    /// <summary><c>host</c>: the machine and process that ran it.</summary>
    public required string Host { get; init; }

    /// <summary><c>error</c>: why it failed.</summary>
    public string? Error { get; init; }
}
