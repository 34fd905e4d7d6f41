using Lambda.Shared.Postgres;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>The alert rules, states and history in PostgreSQL (tables of <see cref="AlertSchema"/>), through Npgsql.</summary>
/// <remarks>
/// With a <paramref name="schema"/>, the tables live there (created if missing); without, in the connection's search path.
/// </remarks>
public sealed class PostgresAlertRuleStore(NpgsqlDataSource dataSource, string? schema = null) : IAlertRuleStore
{
    /// <summary>Longest delivery error text stored; longer texts are cut.</summary>
    public const int MaxErrorLength = 2000;

    private const string RuleColumns =
        "name, source, definition::text, silenced_until, silence_reason, updated_at, evaluated_at, evaluation_error, range_from, range_to";

    private const string HistoryColumns = "id, sequence, group_key, notification::text, silenced, delivery, attempts, delivered_at";

    private static readonly JsonSerializerOptions DefinitionJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly string _rules = Qualify(schema, "alert_rules");
    private readonly string _states = Qualify(schema, "alert_states");
    private readonly string _history = Qualify(schema, "alert_history");
    private readonly PostgresSchemaGate _schemaGate = new(AlertSchema.SchemaLockKey, AlertSchema.StatementsFor(schema));

    /// <inheritdoc/>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => _schemaGate.EnsureAsync(dataSource, cancellationToken);

    /// <inheritdoc/>
    public async Task SyncConfiguredRulesAsync(IReadOnlyList<AlertRuleOptions> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // In name order, so instances starting together lock the rows in the same order.
        foreach (var rule in rules.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            await using var upsert = new NpgsqlCommand(
                $"""
                INSERT INTO {_rules} (name, source, definition, updated_at) VALUES (@name, 'configuration', @definition, @now)
                ON CONFLICT (name) DO UPDATE SET source = 'configuration', definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at
                WHERE alert_rules.source <> 'configuration' OR alert_rules.definition <> EXCLUDED.definition
                """,
                connection,
                transaction);
            upsert.Parameters.AddWithValue("name", rule.Name);
            upsert.Parameters.Add(new NpgsqlParameter("definition", NpgsqlDbType.Jsonb) { Value = Serialize(rule) });
            upsert.Parameters.AddWithValue("now", now);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var delete = new NpgsqlCommand($"DELETE FROM {_rules} WHERE source = 'configuration' AND NOT (name = ANY(@names))", connection, transaction))
        {
            delete.Parameters.AddWithValue("names", rules.Select(r => r.Name).ToArray());
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredAlertRule>> GetRulesAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand($"SELECT {RuleColumns} FROM {_rules} ORDER BY name COLLATE \"C\"");
        return await ReadRulesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<StoredAlertRule?> GetRuleAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand($"SELECT {RuleColumns} FROM {_rules} WHERE name = @name");
        command.Parameters.AddWithValue("name", name);
        return (await ReadRulesAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <inheritdoc/>
    public async Task<AlertRuleWrite> PutRuleAsync(AlertRuleOptions rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        // No row back: the name belongs to a configuration rule. xmax = 0 tells an insert from an update.
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO {_rules} (name, source, definition, updated_at) VALUES (@name, 'api', @definition, @now)
            ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at
            WHERE alert_rules.source = 'api'
            RETURNING (xmax = 0)
            """);
        command.Parameters.AddWithValue("name", rule.Name);
        command.Parameters.Add(new NpgsqlParameter("definition", NpgsqlDbType.Jsonb) { Value = Serialize(rule) });
        command.Parameters.AddWithValue("now", now);
        var inserted = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return inserted switch
        {
            true => AlertRuleWrite.Created,
            false => AlertRuleWrite.Replaced,
            _ => AlertRuleWrite.Configured,
        };
    }

    /// <inheritdoc/>
    public async Task<AlertRuleWrite> DeleteRuleAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(
            $"""
            WITH deleted AS (DELETE FROM {_rules} WHERE name = @name AND source = 'api' RETURNING source)
            SELECT source FROM deleted UNION ALL SELECT source FROM {_rules} WHERE name = @name AND source <> 'api'
            """);
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) switch
        {
            AlertRuleSources.Api => AlertRuleWrite.Replaced,
            string => AlertRuleWrite.Configured,
            _ => AlertRuleWrite.NotFound,
        };
    }

    /// <inheritdoc/>
    public async Task<bool> SetSilenceAsync(string name, AlertSilence? silence, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand($"UPDATE {_rules} SET silenced_until = @until, silence_reason = @reason WHERE name = @name");
        command.Parameters.AddWithValue("name", name);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("until", NpgsqlDbType.TimestampTz) { TypedValue = silence?.Until });
        command.Parameters.Add(new NpgsqlParameter<string?>("reason", NpgsqlDbType.Text) { TypedValue = silence?.Reason });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AlertGroupState>> GetStatesAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(
            $"SELECT rule, group_key, state, value, since, evaluated_at FROM {_states} ORDER BY rule COLLATE \"C\", group_key COLLATE \"C\"");
        var states = new List<AlertGroupState>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            states.Add(new AlertGroupState(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return states;
    }

    /// <inheritdoc/>
    public async Task SaveEvaluationAsync(
        string rule,
        AlertRuleEvaluation evaluation,
        IReadOnlyList<AlertGroupState> states,
        IReadOnlyList<string> removed,
        IReadOnlyList<AlertTransition> transitions,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(removed);
        ArgumentNullException.ThrowIfNull(transitions);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The update locks the rule's row: a concurrent DELETE waits for this transaction and then removes what it wrote.
        await using (var update = new NpgsqlCommand(
            $"UPDATE {_rules} SET evaluated_at = @at, evaluation_error = @error, range_from = @from, range_to = @to WHERE name = @rule", connection, transaction))
        {
            update.Parameters.AddWithValue("rule", rule);
            update.Parameters.AddWithValue("at", evaluation.At);
            update.Parameters.Add(new NpgsqlParameter<string?>("error", NpgsqlDbType.Text) { TypedValue = evaluation.Error });
            update.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("from", NpgsqlDbType.TimestampTz) { TypedValue = evaluation.From });
            update.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("to", NpgsqlDbType.TimestampTz) { TypedValue = evaluation.To });
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return;
            }
        }

        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            foreach (var state in states)
            {
                var command = new NpgsqlBatchCommand(
                    $"""
                    INSERT INTO {_states} (rule, group_key, state, value, since, evaluated_at) VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (rule, group_key) DO UPDATE SET state = EXCLUDED.state, value = EXCLUDED.value, since = EXCLUDED.since, evaluated_at = EXCLUDED.evaluated_at
                    """);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rule });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.GroupKey });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.State });
                command.Parameters.Add(new NpgsqlParameter<double?> { TypedValue = state.Value, NpgsqlDbType = NpgsqlDbType.Double });
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = state.Since });
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = state.EvaluatedAt });
                batch.BatchCommands.Add(command);
            }

            if (removed.Count > 0)
            {
                var delete = new NpgsqlBatchCommand($"DELETE FROM {_states} WHERE rule = $1 AND group_key = ANY($2)");
                delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rule });
                delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = removed.ToArray() });
                batch.BatchCommands.Add(delete);
            }

            foreach (var transition in transitions)
            {
                var n = transition.Notification;
                var insert = new NpgsqlBatchCommand(
                    $"""
                    INSERT INTO {_history} (id, rule, group_key, state, previous_state, value, at, notification, silenced, delivery, attempts, delivered_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                    """);
                insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = transition.Id });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = rule });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = transition.GroupKey });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = n.State });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = n.PreviousState });
                insert.Parameters.Add(new NpgsqlParameter<double?> { TypedValue = n.Value, NpgsqlDbType = NpgsqlDbType.Double });
                insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = n.At });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(n, WebhookAlertNotifier.JsonOptions), NpgsqlDbType = NpgsqlDbType.Jsonb });
                insert.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = transition.Silenced });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = transition.Delivery });
                insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = transition.Attempts });
                insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset?> { TypedValue = transition.DeliveredAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                batch.BatchCommands.Add(insert);
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task RecordDeliveryAsync(Guid id, string delivery, int attempts, DateTimeOffset? deliveredAt, string? error, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(
            $"UPDATE {_history} SET delivery = @delivery, attempts = @attempts, delivered_at = @delivered_at, last_error = @error WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("delivery", delivery);
        command.Parameters.AddWithValue("attempts", attempts);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("delivered_at", NpgsqlDbType.TimestampTz) { TypedValue = deliveredAt });
        command.Parameters.Add(new NpgsqlParameter<string?>("error", NpgsqlDbType.Text)
        {
            TypedValue = error is { Length: > MaxErrorLength } ? error[..MaxErrorLength] : error,
        });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AlertTransition>> GetPendingDeliveriesAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand($"SELECT {HistoryColumns} FROM {_history} WHERE delivery = 'pending' ORDER BY sequence");
        return await ReadHistoryAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AlertTransition>> GetHistoryAsync(
        string rule, int limit, long? beforeSequence, DateTimeOffset? beforeTime, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT {HistoryColumns} FROM {_history}
            WHERE rule = @rule AND (@before_sequence IS NULL OR sequence < @before_sequence) AND (@before_time IS NULL OR at < @before_time)
            ORDER BY sequence DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("rule", rule);
        command.Parameters.Add(new NpgsqlParameter<long?>("before_sequence", NpgsqlDbType.Bigint) { TypedValue = beforeSequence });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("before_time", NpgsqlDbType.TimestampTz) { TypedValue = beforeTime });
        command.Parameters.AddWithValue("limit", limit);
        return await ReadHistoryAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static string Qualify(string? schema, string table) => schema is null ? table : $"\"{schema}\".{table}";

    private static string Serialize(AlertRuleOptions rule) => JsonSerializer.Serialize(rule, DefinitionJson);

    private static async Task<IReadOnlyList<StoredAlertRule>> ReadRulesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rules = new List<StoredAlertRule>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var definition = JsonSerializer.Deserialize<AlertRuleOptions>(reader.GetString(2), DefinitionJson)
                ?? throw new InvalidOperationException($"alert_rules.definition of '{reader.GetString(0)}' is null");
            var silence = reader.IsDBNull(3) ? null : new AlertSilence(reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4));
            var evaluation = reader.IsDBNull(6)
                ? null
                : new AlertRuleEvaluation(
                    reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9));
            rules.Add(new StoredAlertRule(definition, reader.GetString(1), silence, reader.GetFieldValue<DateTimeOffset>(5), evaluation));
        }

        return rules;
    }

    private static async Task<IReadOnlyList<AlertTransition>> ReadHistoryAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var transitions = new List<AlertTransition>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var notification = JsonSerializer.Deserialize<AlertNotification>(reader.GetString(3), WebhookAlertNotifier.JsonOptions)
                ?? throw new InvalidOperationException($"alert_history.notification of {reader.GetGuid(0)} is null");
            transitions.Add(new AlertTransition(
                reader.GetGuid(0),
                reader.GetInt64(1),
                notification,
                reader.GetString(2),
                reader.GetBoolean(4),
                reader.GetString(5),
                reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return transitions;
    }
}
