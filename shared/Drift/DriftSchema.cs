using System.Text.RegularExpressions;

namespace Lambda.Shared.Drift;

/// <summary>
/// The PostgreSQL tables of the drift audit, a contract between two layers: the batch layer writes one
/// <c>drift_audits</c> row per view per recompute and the differences it found (<c>drift_differences</c>), the serving
/// layer's <c>GET /api/admin/drift</c> and the <c>drift</c> alert kind read them. Created idempotently (through
/// <see cref="Postgres.PostgresSchemaGate"/>) in <see cref="DriftOptions.Schema"/>, or the connection's search path.
/// </summary>
public static partial class DriftSchema
{
    /// <summary>Key of the transaction-scoped advisory lock that serialises concurrent schema creation ("LDRIFTDD").</summary>
    public const long SchemaLockKey = 0x4C_44_52_49_46_54_44_44;

    /// <summary>True when <paramref name="schema"/> is null (the search path) or a plain lowercase PostgreSQL identifier.</summary>
    public static bool IsValidSchemaName(string? schema) => schema is null || SchemaPattern().IsMatch(schema);

    /// <summary><c>"schema".</c> or nothing: the prefix of the table names in SQL.</summary>
    public static string Prefix(string? schema) => schema is null ? string.Empty : $"\"{schema}\".";

    /// <summary>The DDL for the tables in <paramref name="schema"/> (created if missing), or in the search path's schema for null.</summary>
    /// <exception cref="ArgumentException">The schema name is not a plain lowercase identifier.</exception>
    public static IReadOnlyList<string> StatementsFor(string? schema)
    {
        if (!IsValidSchemaName(schema))
        {
            throw new ArgumentException($"'{schema}' is not a valid schema name (lowercase letters, digits, '_')", nameof(schema));
        }

        var prefix = Prefix(schema);
        var statements = Template.Select(s => s.Replace("{schema}", prefix, StringComparison.Ordinal)).ToList();
        if (schema is not null)
        {
            statements.Insert(0, $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
        }

        return statements;
    }

    // ranges: {"<partition>": {"from": <position>, "to": <position>}}, the audited [previous, new) watermarks per partition.
    private static readonly string[] Template =
    [
        """
        CREATE TABLE IF NOT EXISTS {schema}drift_audits (
            id                uuid        PRIMARY KEY,
            run_id            text        NOT NULL,
            view_name         text        NOT NULL,
            view_hash         text        NOT NULL,
            ranges            jsonb       NOT NULL,
            outcome           text        NOT NULL CHECK (outcome IN ('clean', 'drift', 'failed')),
            differences       integer     NOT NULL,
            speed_groups      integer     NOT NULL,
            batch_groups      integer     NOT NULL,
            reference_version text        NULL,
            error             text        NULL,
            audited_at        timestamptz NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS drift_audits_view_idx ON {schema}drift_audits (view_name, audited_at DESC)",
        """
        CREATE TABLE IF NOT EXISTS {schema}drift_differences (
            audit_id     uuid        NOT NULL REFERENCES {schema}drift_audits (id) ON DELETE CASCADE,
            ordinal      integer     NOT NULL,
            view_name    text        NOT NULL,
            bucket       timestamptz NOT NULL,
            group_key    jsonb       NOT NULL,
            measure      text        NOT NULL,
            speed_value  jsonb       NOT NULL,
            batch_value  jsonb       NOT NULL,
            PRIMARY KEY (audit_id, ordinal)
        )
        """,
        "CREATE INDEX IF NOT EXISTS drift_differences_view_bucket_idx ON {schema}drift_differences (view_name, bucket)",
    ];

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();
}
