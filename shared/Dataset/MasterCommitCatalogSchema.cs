namespace Lambda.Shared.Dataset;

/// <summary>
/// The PostgreSQL table that holds the master dataset's commit log when its files live in an object store
/// (<c>Storage:Kind = s3</c>, <see cref="ObjectStoreCommitLog"/>): one row per commit record, naming the objects of its
/// data files; inserting the row is the commit. The partial unique index refuses a second archive commit starting at the
/// same offset of a partition; the overlap check the insert runs under the partition's advisory lock refuses any other
/// overlap. <c>superseded_at</c> is set, in the transaction that inserts a compaction record, on the rows it replaces.
/// </summary>
public static class MasterCommitCatalogSchema
{
    /// <summary>The advisory lock key that orders the instances creating the table.</summary>
    public const long SchemaLockKey = 0x4C_4D_43_4F_4D_4D_44_44; // "LMCOMMDD"

    /// <summary>The class of the two-key advisory locks that serialise the commits of one source's partition.</summary>
    public const int PartitionLockClass = 0x4C_4D_43_50; // "LMCP"

    /// <summary>The DDL, one idempotent statement per entry.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS master_commits (
            seq           bigserial   PRIMARY KEY,
            source        text        NOT NULL,
            partition     integer     NOT NULL,
            first_offset  bigint      NOT NULL,
            last_offset   bigint      NOT NULL,
            is_compaction boolean     NOT NULL,
            record        text        NOT NULL,
            object_keys   text[]      NOT NULL,
            committed_at  timestamptz NOT NULL,
            superseded_at timestamptz NULL
        )
        """,
        """
        CREATE UNIQUE INDEX IF NOT EXISTS master_commits_archive_start
            ON master_commits (source, partition, first_offset) WHERE NOT is_compaction
        """,
        """
        CREATE INDEX IF NOT EXISTS master_commits_in_force
            ON master_commits (source, partition, first_offset) WHERE superseded_at IS NULL
        """,
    ];
}
