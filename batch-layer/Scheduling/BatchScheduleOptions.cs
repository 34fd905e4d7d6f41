namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Scheduling of recomputes through Hangfire on PostgreSQL (<c>ConnectionStrings:Postgres</c>);
/// bound from <c>Batch:Schedule</c>. Validated on start by <see cref="BatchScheduleOptionsValidator"/>.
/// </summary>
public sealed class BatchScheduleOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch:Schedule";

    /// <summary>The retry delays used when <see cref="RetryDelays"/> is not configured: 1, 10 and 30 minutes.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30)];

    /// <summary>
    /// Cron expression (UTC) of the nightly incremental recompute; five fields, or six with seconds
    /// first. Default: <c>0 2 * * *</c> (02:00 UTC every day).
    /// </summary>
    public string Cron { get; init; } = "0 2 * * *";

    /// <summary>
    /// Whether the host registers the recurring job (<see cref="RecomputeJob.RecurringJobId"/>); when
    /// false it removes it, so no instance schedules recomputes. Default: true.
    /// </summary>
    public bool RecurringJobEnabled { get; init; } = true;

    /// <summary>
    /// Whether the service, when it starts, enqueues one recompute of exactly the catalog views that have no published
    /// batch view of their current definition (a new or changed view), so their history is filled without a manual
    /// command and without waiting for the nightly run (<see cref="NewViewBackfillStarter"/>). Default: true.
    /// </summary>
    public bool BackfillNewViews { get; init; } = true;

    /// <summary>
    /// How long that backfill waits for the speed layer's first flush of each new view in every archived partition
    /// before it recomputes anyway: a batch watermark must be a speed flush boundary, so without one the recompute
    /// could publish nothing below offset 0. Default: 10 minutes.
    /// </summary>
    public TimeSpan BackfillSpeedWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether <c>serve</c> runs a Hangfire server that processes recomputes. Default: true.</summary>
    public bool ServerEnabled { get; init; } = true;

    /// <summary>PostgreSQL schema of Hangfire's tables (created when missing). Default: <c>hangfire</c>.</summary>
    public string HangfireSchema { get; init; } = "hangfire";

    /// <summary>
    /// Hangfire workers of this instance. Recomputes never run concurrently (a PostgreSQL advisory lock serialises them
    /// across instances), but a recompute's chunks are jobs too: the worker coordinating a recompute runs chunks itself,
    /// the other instances' workers run the rest, and a second worker here would also run chunks beside this instance's
    /// coordinator (batch-layer/README.md, "Several batch workers"). Default: 1.
    /// </summary>
    public int WorkerCount { get; init; } = 1;

    /// <summary>Automatic retries of a failed recompute (Hangfire <c>AutomaticRetry</c>). Default: 3.</summary>
    public int RetryAttempts { get; init; } = 3;

    /// <summary>
    /// Delay before each retry; the last one repeats when there are more attempts than delays.
    /// Default (when not configured): <see cref="DefaultRetryDelays"/>.
    /// </summary>
    public IReadOnlyList<TimeSpan>? RetryDelays { get; init; }

    /// <summary>How often the server moves due scheduled jobs (retries) to their queue. Default: 15 s.</summary>
    public TimeSpan SchedulePollingInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an idle worker polls the queue in PostgreSQL. Default: 5 s.</summary>
    public TimeSpan QueuePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a recompute waits for the one running elsewhere (the advisory lock) before it fails
    /// and is retried later. Default: 30 minutes.
    /// </summary>
    public TimeSpan LockWaitTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The retry delays in effect.</summary>
    public IReadOnlyList<TimeSpan> GetRetryDelays() => RetryDelays is { Count: > 0 } delays ? delays : DefaultRetryDelays;
}
