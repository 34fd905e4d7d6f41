using Lambda.Shared.ClickHouse;
namespace Lambda.SpeedLayer;

/// <summary>
/// Settings of the speed layer, bound from the <c>SpeedLayer</c> configuration section
/// (environment: <c>SpeedLayer__GroupId</c>, <c>SpeedLayer__FlushInterval</c>, ...); checked at start-up
/// by <see cref="SpeedLayerOptionsValidator"/>.
/// </summary>
public sealed class SpeedLayerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "SpeedLayer";

    /// <summary>Kafka consumer group shared by every instance (more instances share the partitions). Default <c>lambda-speed</c>.</summary>
    public string GroupId { get; init; } = "lambda-speed";

    /// <summary>Longest time between two flushes of pending deltas to ClickHouse. Default 500 ms.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Events consumed (over all partitions) that trigger a flush before <see cref="FlushInterval"/> ends. Default 200,000.</summary>
    public int FlushMaxEvents { get; init; } = 200_000;

    /// <summary>
    /// Consumer lag (events on the broker not yet processed, summed over the assigned partitions that are read) at or above
    /// which the speed layer is behind: catching up after a restart or an outage, or reading a backlog. While behind, a
    /// flush waits for <see cref="BacklogFlushInterval"/> or <see cref="BacklogFlushMaxEvents"/>: the freshness the short
    /// interval buys is lost anyway, and fewer, larger flushes cost the speed layer and ClickHouse less per event (every
    /// flush is one insert and one verify read per view, and a group of a view is one row per partition and flush).
    /// Default 100,000.
    /// </summary>
    public long BacklogLag { get; init; } = 100_000;

    /// <summary>
    /// Longest time between two flushes while behind (<see cref="BacklogLag"/>); never shorter than <see cref="FlushInterval"/>.
    /// Default 5 s.
    /// </summary>
    public TimeSpan BacklogFlushInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Events consumed that trigger a flush while behind (<see cref="BacklogLag"/>); never fewer than <see cref="FlushMaxEvents"/>.
    /// Default 1,000,000.
    /// </summary>
    public int BacklogFlushMaxEvents { get; init; } = 1_000_000;

    /// <summary>
    /// Rows one view may accumulate before it is flushed early. One flush is one insert and must stay one
    /// ClickHouse block (at most 1,000,000 rows here). Default 500,000.
    /// </summary>
    public int MaxRowsPerInsert { get; init; } = 500_000;

    /// <summary>
    /// Flushes of one view that may wait for ClickHouse; when a view has this many, consumption pauses
    /// (back-pressure during a ClickHouse outage). Default 8.
    /// </summary>
    public int MaxPendingFlushes { get; init; } = 8;

    /// <summary>
    /// Consumer group protocol: <c>classic</c> (default; uses <see cref="SessionTimeout"/>) or
    /// <c>consumer</c> (KIP-848, the broker drives assignment and session timing).
    /// </summary>
    public string GroupProtocol { get; init; } = "classic";

    /// <summary>
    /// Classic protocol only: how long the group waits for a silent member (e.g. killed) before its
    /// partitions move to the others. Default 45 s (Kafka's default).
    /// </summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Longest time between two polls before the member is considered stuck and leaves the group. Default 5 min.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one poll waits for a message when the topic is idle. Default 100 ms.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Re-read the view's stored offsets before every insert and refuse to write when another writer has
    /// moved them (a partition that now belongs to another instance). Costs one small query per flush.
    /// Default true.
    /// </summary>
    public bool VerifyBeforeInsert { get; init; } = true;

    /// <summary>
    /// Fence off instances that lost their partitions: each assignment takes a token from PostgreSQL
    /// (<c>ConnectionStrings:Postgres</c>, needed then) and records where it resumes, every row carries its token, and every
    /// reader ignores a stale owner's late rows (docs/design-notes.md, "Speed-layer failover and fencing"). Turn it on when
    /// several instances share a group. Default false: one instance has no one to fence off, and the fenced reads still
    /// cost too much under many reassignments (speed-layer/README.md, "Failover and fencing").
    /// </summary>
    public bool Fencing { get; init; }

    /// <summary>Delay before the first retry of a failed insert; later retries back off exponentially with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between two insert retries (inserts are retried until they succeed). Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The ClickHouse retry policy of <see cref="RetryBaseDelay"/> and <see cref="RetryMaxDelay"/> (derived, not a setting).</summary>
    public ClickHouseRetryPolicy RetryPolicy => new() { BaseDelay = RetryBaseDelay, MaxDelay = RetryMaxDelay };

    /// <summary>
    /// How long a revocation or a graceful shutdown waits for pending flushes to reach ClickHouse before it
    /// gives up (without committing; the events are then consumed again by the next owner). Default 25 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Suffix of the dead-letter topic of each source topic. Default <c>.dlq</c> (<c>orders</c> → <c>orders.dlq</c>).</summary>
    public string DeadLetterSuffix { get; init; } = ".dlq";

    /// <summary>How often consumer lag and events/s are published as metrics. Default 1 s.</summary>
    public TimeSpan MetricsInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the lookups' CURRENT pointers are read; a new version is joined from the next event on (default 1 s).</summary>
    public TimeSpan LookupPollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
