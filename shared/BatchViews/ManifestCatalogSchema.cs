namespace Lambda.Shared.BatchViews;

/// <summary>
/// The PostgreSQL table that holds the manifest pointer when the batch views live in an object store
/// (<c>Storage:Kind = s3</c>): one row per published manifest naming its object; the row with the highest
/// <c>seq</c> is current, and inserting it is the publish.
/// </summary>
public static class ManifestCatalogSchema
{
    /// <summary>The advisory lock key that orders the instances creating the table.</summary>
    public const long SchemaLockKey = 0x4C_4D_41_4E_49_46_44_44; // "LMANIFDD"

    /// <summary>The advisory lock that serialises publishes (compare-and-insert of the pointer).</summary>
    public const long PublishLockKey = 0x4C_4D_41_4E_49_46_50_42; // "LMANIFPB"

    /// <summary>The DDL, one idempotent statement per entry.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS batch_manifests (
            seq          bigserial   PRIMARY KEY,
            run_id       text        NOT NULL,
            object_key   text        NOT NULL UNIQUE,
            published_at timestamptz NOT NULL
        )
        """,
    ];
}
