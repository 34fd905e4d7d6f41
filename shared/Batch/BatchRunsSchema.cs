namespace Lambda.Shared.Batch;

/// <summary>
/// The PostgreSQL tables of the batch run history, created idempotently by the batch layer in the
/// database of <c>ConnectionStrings:Postgres</c> (schema <c>public</c>, unless the connection's
/// search_path says otherwise). It lives here because <c>batch_runs</c> is a contract between two
/// layers: the batch layer writes it, the serving layer's <c>GET /api/admin/batch/status</c> lists it. The same
/// statements create <see cref="ArchiverLagSchema"/>'s table, the other contract of the two layers in PostgreSQL.
/// </summary>
public static class BatchRunsSchema
{
    /// <summary>Key of the transaction-scoped advisory lock that serialises concurrent schema creation.</summary>
    public const long SchemaLockKey = 0x4C_42_52_55_4E_53_44_44; // "LBRUNSDD"

    /// <summary>The DDL, one statement per entry, each idempotent.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS batch_runs (
            id              uuid        PRIMARY KEY,
            job_id          text        NULL,
            attempt         integer     NOT NULL DEFAULT 1,
            requested_by    text        NOT NULL,
            mode            text        NOT NULL CHECK (mode IN ('incremental', 'full', 'backfill')),
            range_from      date        NULL,
            range_to        date        NULL,
            state           text        NOT NULL CHECK (state IN ('waiting', 'running', 'succeeded', 'nothing_to_do', 'failed', 'cancelled')),
            stage           text        NULL,
            started_at      timestamptz NOT NULL,
            finished_at     timestamptz NULL,
            engine_run_id   text        NULL,
            rows_read       bigint      NOT NULL DEFAULT 0,
            rows_written    bigint      NOT NULL DEFAULT 0,
            days_recomputed integer     NOT NULL DEFAULT 0,
            days_loaded     integer     NOT NULL DEFAULT 0,
            host            text        NOT NULL,
            error           text        NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS batch_runs_started_at_idx ON batch_runs (started_at DESC)",
        "CREATE INDEX IF NOT EXISTS batch_runs_job_id_idx ON batch_runs (job_id) WHERE job_id IS NOT NULL",
        """
        CREATE TABLE IF NOT EXISTS batch_run_days (
            run_id       uuid        NOT NULL REFERENCES batch_runs (id) ON DELETE CASCADE,
            view_name    text        NOT NULL,
            view_hash    text        NOT NULL,
            day          date        NOT NULL,
            file         text        NOT NULL,
            rows         bigint      NOT NULL,
            published_at timestamptz NOT NULL,
            PRIMARY KEY (run_id, view_name, day)
        )
        """,
        .. ArchiverLagSchema.Statements,
    ];
}
