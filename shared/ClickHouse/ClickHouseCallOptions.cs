namespace Lambda.Shared.ClickHouse;

/// <summary>Per-call choices; every property left null takes the client's default.</summary>
public sealed record ClickHouseCallOptions
{
    /// <summary>
    /// Whether the call may be repeated safely. Idempotent calls are retried after transient
    /// failures (see <see cref="ClickHouseOptions.MaxRetryAttempts"/>). Null: queries are
    /// idempotent, commands and inserts are not (an insert that failed in transit may still
    /// have been stored; retrying it blindly could store the rows twice).
    /// </summary>
    public bool? Idempotent { get; init; }

    /// <summary>Database to run in instead of <see cref="ClickHouseOptions.Database"/>.</summary>
    public string? Database { get; init; }

    /// <summary>
    /// HTTP session (<c>session_id</c>): temporary tables and SET survive between calls of one
    /// session. The server runs one request of a session at a time; a concurrent one fails with
    /// SESSION_IS_LOCKED (373).
    /// </summary>
    public string? SessionId { get; init; }

    /// <summary>Idle lifetime of the session on the server (<c>session_timeout</c>, whole seconds; server default 60 s).</summary>
    public TimeSpan? SessionTimeout { get; init; }

    /// <summary>Query id (<c>query_id</c>), visible in system.processes and system.query_log.</summary>
    public string? QueryId { get; init; }

    /// <summary>Time allowed for one attempt instead of <see cref="ClickHouseOptions.RequestTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gzip the insert body (inserts only) instead of <see cref="ClickHouseOptions.CompressInserts"/>.</summary>
    public bool? Compress { get; init; }

    /// <summary>
    /// Server settings for this call, sent as URL parameters (e.g. <c>max_execution_time</c>,
    /// <c>wait_end_of_query</c>). The server rejects names it does not know (code 115), and 18.16
    /// knows far fewer than current releases.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }
}
