namespace Lambda.Shared.Lookups;

/// <summary>
/// The PostgreSQL table that commits lookup versions when they live in an object store (<c>Storage:Kind = s3</c>): one
/// row per version naming its object; the row's insert is the publish, the highest version is current.
/// </summary>
public static class LookupCatalogSchema
{
    /// <summary>The advisory lock key that orders the instances creating the table.</summary>
    public const long SchemaLockKey = 0x4C_4C_4B_55_50_44_44_44; // "LLKUPDDD"

    /// <summary>First key of the per-lookup advisory lock that serialises publishes (the second is the name's hash).</summary>
    public const int PublishLockClass = 0x4C_4B_55_50; // "LKUP"

    /// <summary>The DDL, one idempotent statement per entry.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS lookup_versions (
            lookup       text        NOT NULL,
            version      bigint      NOT NULL,
            object_key   text        NOT NULL UNIQUE,
            published_at timestamptz NOT NULL,
            PRIMARY KEY (lookup, version)
        )
        """,
    ];
}
