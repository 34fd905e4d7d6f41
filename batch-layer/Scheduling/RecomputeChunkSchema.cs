namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// The PostgreSQL tables of distributed recomputes (<see cref="PostgresRecomputeChunkStore"/>), in the database of
/// <c>ConnectionStrings:Postgres</c> beside <c>batch_runs</c>: one row per run (its spec, fixed when planned) and one per
/// chunk (state, lease, outcome). A run belongs to one dataset root (<c>dataset</c>): instances of another dataset on
/// the same database never claim its chunks. Only the batch layer reads and writes them.
/// </summary>
public static class RecomputeChunkSchema
{
    /// <summary>Key of the transaction-scoped advisory lock that serialises concurrent schema creation.</summary>
    public const long SchemaLockKey = 0x4C_52_43_48_55_4E_4B_53; // "LRCHUNKS"

    /// <summary>The DDL, one statement per entry, each idempotent.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS recompute_chunk_runs (
            run_id       text        PRIMARY KEY,
            dataset      text        NOT NULL,
            state        text        NOT NULL CHECK (state IN ('running', 'published', 'failed', 'abandoned')),
            coordinator  text        NOT NULL,
            spec         jsonb       NOT NULL,
            chunks       integer     NOT NULL,
            created_at   timestamptz NOT NULL DEFAULT now(),
            finished_at  timestamptz NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS recompute_chunks (
            run_id       text        NOT NULL REFERENCES recompute_chunk_runs (run_id) ON DELETE CASCADE,
            number       integer     NOT NULL,
            view_name    text        NOT NULL,
            source       text        NOT NULL,
            day          date        NOT NULL,
            state        text        NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
            worker       text        NULL,
            lease_until  timestamptz NULL,
            claims       integer     NOT NULL DEFAULT 0,
            rows_written bigint      NULL,
            rows_read    bigint      NULL,
            file         text        NULL,
            error        text        NULL,
            finished_at  timestamptz NULL,
            PRIMARY KEY (run_id, number)
        )
        """,
    ];
}
