namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>
/// The PostgreSQL tables of the alert rules, created idempotently by every serving instance at start in the database of
/// <c>ConnectionStrings:Postgres</c> (schema <c>public</c>, unless the connection's search_path says otherwise).
/// <c>alert_rules</c> holds each rule's definition (JSON of <see cref="AlertRuleOptions"/>), source, silence and last
/// evaluation; <c>alert_states</c> one row per (rule, group) in a state worth keeping; <c>alert_history</c> every
/// transition with its notification body and delivery outcome. Deleting a rule deletes its states and history.
/// </summary>
public static class AlertSchema
{
    /// <summary>Key of the transaction-scoped advisory lock that serialises concurrent schema creation ("LALERTDD").</summary>
    public const long SchemaLockKey = 0x4C_41_4C_45_52_54_44_44;

    /// <summary>The DDL in the search path's schema, one statement per entry, each idempotent.</summary>
    public static IReadOnlyList<string> Statements => StatementsFor(null);

    /// <summary>The DDL for the tables in <paramref name="schema"/> (created if missing), or in the search path's schema for null.</summary>
    public static IReadOnlyList<string> StatementsFor(string? schema)
    {
        var prefix = schema is null ? string.Empty : $"\"{schema}\".";
        var statements = Template.Select(s => s.Replace("{schema}", prefix, StringComparison.Ordinal)).ToList();
        if (schema is not null)
        {
            statements.Insert(0, $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
        }

        return statements;
    }

    private static readonly string[] Template =
    [
        """
        CREATE TABLE IF NOT EXISTS {schema}alert_rules (
            name             text        PRIMARY KEY,
            source           text        NOT NULL CHECK (source IN ('configuration', 'api')),
            definition       jsonb       NOT NULL,
            silenced_until   timestamptz NULL,
            silence_reason   text        NULL,
            updated_at       timestamptz NOT NULL,
            evaluated_at     timestamptz NULL,
            evaluation_error text        NULL,
            range_from       timestamptz NULL,
            range_to         timestamptz NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS {schema}alert_states (
            rule         text             NOT NULL REFERENCES {schema}alert_rules (name) ON DELETE CASCADE,
            group_key    text             NOT NULL,
            state        text             NOT NULL CHECK (state IN ('ok', 'firing')),
            value        double precision NULL,
            since        timestamptz      NOT NULL,
            evaluated_at timestamptz      NOT NULL,
            PRIMARY KEY (rule, group_key)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS {schema}alert_history (
            id             uuid             PRIMARY KEY,
            sequence       bigint           GENERATED ALWAYS AS IDENTITY UNIQUE,
            rule           text             NOT NULL REFERENCES {schema}alert_rules (name) ON DELETE CASCADE,
            group_key      text             NOT NULL,
            state          text             NOT NULL CHECK (state IN ('ok', 'firing')),
            previous_state text             NOT NULL CHECK (previous_state IN ('ok', 'firing')),
            value          double precision NULL,
            at             timestamptz      NOT NULL,
            notification   jsonb            NOT NULL,
            silenced       boolean          NOT NULL,
            delivery       text             NOT NULL CHECK (delivery IN ('pending', 'delivered', 'failed', 'silenced', 'none')),
            attempts       integer          NOT NULL DEFAULT 0,
            delivered_at   timestamptz      NULL,
            last_error     text             NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS alert_history_rule_idx ON {schema}alert_history (rule, sequence DESC)",
        "CREATE INDEX IF NOT EXISTS alert_history_pending_idx ON {schema}alert_history (sequence) WHERE delivery = 'pending'",
    ];
}
