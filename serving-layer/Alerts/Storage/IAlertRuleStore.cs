namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>
/// Where alert rules, their states and their transition history live (<see cref="PostgresAlertRuleStore"/> in the service,
/// shared by every instance). Only the leading instance writes states and history; any instance writes rules.
/// </summary>
public interface IAlertRuleStore
{
    /// <summary>Creates the tables when missing (idempotent, safe against concurrent callers).</summary>
    Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes the stored configuration rules exactly <paramref name="rules"/>: upserts each (source configuration, taking over
    /// an API rule of the same name), deletes configuration rules no longer configured. States, silences and history stay.
    /// </summary>
    Task SyncConfiguredRulesAsync(IReadOnlyList<AlertRuleOptions> rules, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every rule, by name (ordinal).</summary>
    Task<IReadOnlyList<StoredAlertRule>> GetRulesAsync(CancellationToken cancellationToken);

    /// <summary>The rule named <paramref name="name"/> (ordinal), or null.</summary>
    Task<StoredAlertRule?> GetRuleAsync(string name, CancellationToken cancellationToken);

    /// <summary>Stores an API rule: <see cref="AlertRuleWrite.Created"/>, <see cref="AlertRuleWrite.Replaced"/> or <see cref="AlertRuleWrite.Configured"/> (refused).</summary>
    Task<AlertRuleWrite> PutRuleAsync(AlertRuleOptions rule, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes an API rule with its states and history: <see cref="AlertRuleWrite.Replaced"/> (deleted),
    /// <see cref="AlertRuleWrite.NotFound"/> or <see cref="AlertRuleWrite.Configured"/> (refused).
    /// </summary>
    Task<AlertRuleWrite> DeleteRuleAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets (or, with null, lifts) the rule's silence; false when there is no such rule.</summary>
    Task<bool> SetSilenceAsync(string name, AlertSilence? silence, CancellationToken cancellationToken);

    /// <summary>Every stored group state, of every rule.</summary>
    Task<IReadOnlyList<AlertGroupState>> GetStatesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records one evaluation of <paramref name="rule"/> in one transaction: the rule's <paramref name="evaluation"/>, the
    /// <paramref name="states"/> written, the groups <paramref name="removed"/> and the new <paramref name="transitions"/>
    /// (their <see cref="AlertTransition.Sequence"/> is assigned here). Nothing happens when the rule was deleted meanwhile.
    /// </summary>
    Task SaveEvaluationAsync(
        string rule,
        AlertRuleEvaluation evaluation,
        IReadOnlyList<AlertGroupState> states,
        IReadOnlyList<string> removed,
        IReadOnlyList<AlertTransition> transitions,
        CancellationToken cancellationToken);

    /// <summary>Records what became of a transition's notification (<paramref name="error"/> is kept in the store only).</summary>
    Task RecordDeliveryAsync(Guid id, string delivery, int attempts, DateTimeOffset? deliveredAt, string? error, CancellationToken cancellationToken);

    /// <summary>Every transition whose delivery is <see cref="AlertDeliveryStates.Pending"/>, oldest first.</summary>
    Task<IReadOnlyList<AlertTransition>> GetPendingDeliveriesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The rule's transitions, newest first, at most <paramref name="limit"/>, only those before <paramref name="beforeSequence"/>
    /// and before <paramref name="beforeTime"/> when given.
    /// </summary>
    Task<IReadOnlyList<AlertTransition>> GetHistoryAsync(string rule, int limit, long? beforeSequence, DateTimeOffset? beforeTime, CancellationToken cancellationToken);
}
