namespace Lambda.Shared.AdHoc;

/// <summary>
/// The PostgreSQL table of ad hoc jobs, <c>adhoc_jobs</c> (schema <c>public</c>, unless the connection's search_path
/// says otherwise), created through <see cref="Postgres.PostgresSchemaGate"/> by whichever layer touches it first: the
/// serving layer submits and cancels jobs, the batch layer runs them.
/// </summary>
public static class AdHocJobSchema
{
    /// <summary>Key of the transaction-scoped advisory lock that serialises concurrent schema creation.</summary>
    public const long SchemaLockKey = 0x4C_41_44_48_4F_43_4A_42; // "LADHOCJB"

    /// <summary>The DDL, one statement per entry, each idempotent.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS adhoc_jobs (
            id              uuid             PRIMARY KEY,
            sql             text             NOT NULL,
            format          text             NOT NULL CHECK (format IN ('parquet', 'csv')),
            state           text             NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
            progress        double precision NOT NULL DEFAULT 0,
            submitted_at    timestamptz      NOT NULL,
            started_at      timestamptz      NULL,
            finished_at     timestamptz      NULL,
            error           text             NULL,
            result_path     text             NULL,
            rows            bigint           NULL,
            bytes           bigint           NULL,
            snapshot        jsonb            NULL,
            snapshot_at     timestamptz      NULL,
            hangfire_job_id text             NULL,
            host            text             NULL,
            attempts        integer          NOT NULL DEFAULT 0
        )
        """,
        "CREATE INDEX IF NOT EXISTS adhoc_jobs_submitted_at_idx ON adhoc_jobs (submitted_at DESC)",
    ];
}
