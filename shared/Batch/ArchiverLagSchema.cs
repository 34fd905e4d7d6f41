namespace Lambda.Shared.Batch;

/// <summary>
/// The PostgreSQL table in which the batch layer reports how far its archiver is behind, per consumer group, topic and
/// partition; the serving layer reads it to refuse ingest while the archiver is too far behind (503 with Retry-After).
/// A contract between two layers, like <see cref="BatchRunsSchema"/> (whose statements create it). Every report is
/// stamped with the database's clock (<c>now()</c>) and read against the same clock, so the hosts' clocks do not matter.
/// </summary>
public static class ArchiverLagSchema
{
    /// <summary>The DDL, one idempotent statement per entry.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS archiver_lag (
            consumer_group text        NOT NULL,
            topic          text        NOT NULL,
            partition      integer     NOT NULL,
            source         text        NOT NULL,
            lag            bigint      NOT NULL,
            max_lag        bigint      NOT NULL,
            reported_at    timestamptz NOT NULL,
            PRIMARY KEY (consumer_group, topic, partition)
        )
        """,
    ];
}
