using System.Text.Json;

namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>
/// An <see cref="IAlertRuleStore"/> in process memory, for one instance without a database and for tests: the same
/// rules as <see cref="PostgresAlertRuleStore"/> (configuration rules refused, cascade on delete, sequences ascending).
/// </summary>
public sealed class InMemoryAlertRuleStore : IAlertRuleStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, StoredAlertRule> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Rule, string Group), AlertGroupState> _states = [];
    private readonly List<(AlertTransition Transition, string? Error)> _history = [];
    private long _sequence;

    /// <summary>The last error text recorded for the transition <paramref name="id"/>.</summary>
    public string? DeliveryError(Guid id)
    {
        lock (_gate)
        {
            return _history.Single(h => h.Transition.Id == id).Error;
        }
    }

    /// <inheritdoc/>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task SyncConfiguredRulesAsync(IReadOnlyList<AlertRuleOptions> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        lock (_gate)
        {
            foreach (var stale in _rules.Values.Where(r => r.Source == AlertRuleSources.Configuration && rules.All(c => c.Name != r.Name)).ToArray())
            {
                Remove(stale.Name);
            }

            foreach (var rule in rules)
            {
                if (!_rules.TryGetValue(rule.Name, out var existing))
                {
                    _rules[rule.Name] = new StoredAlertRule(rule, AlertRuleSources.Configuration, null, now, null);
                }
                else if (existing.Source != AlertRuleSources.Configuration
                    || JsonSerializer.Serialize(existing.Definition) != JsonSerializer.Serialize(rule))
                {
                    _rules[rule.Name] = existing with { Definition = rule, Source = AlertRuleSources.Configuration, UpdatedAt = now };
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredAlertRule>> GetRulesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StoredAlertRule>>(_rules.Values.ToArray());
        }
    }

    /// <inheritdoc/>
    public Task<StoredAlertRule?> GetRuleAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rules.GetValueOrDefault(name));
        }
    }

    /// <inheritdoc/>
    public Task<AlertRuleWrite> PutRuleAsync(AlertRuleOptions rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            if (!_rules.TryGetValue(rule.Name, out var existing))
            {
                _rules[rule.Name] = new StoredAlertRule(rule, AlertRuleSources.Api, null, now, null);
                return Task.FromResult(AlertRuleWrite.Created);
            }

            if (existing.Source == AlertRuleSources.Configuration)
            {
                return Task.FromResult(AlertRuleWrite.Configured);
            }

            _rules[rule.Name] = existing with { Definition = rule, UpdatedAt = now };
            return Task.FromResult(AlertRuleWrite.Replaced);
        }
    }

    /// <inheritdoc/>
    public Task<AlertRuleWrite> DeleteRuleAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rules.TryGetValue(name, out var existing))
            {
                return Task.FromResult(AlertRuleWrite.NotFound);
            }

            if (existing.Source == AlertRuleSources.Configuration)
            {
                return Task.FromResult(AlertRuleWrite.Configured);
            }

            Remove(name);
            return Task.FromResult(AlertRuleWrite.Replaced);
        }
    }

    /// <inheritdoc/>
    public Task<bool> SetSilenceAsync(string name, AlertSilence? silence, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rules.TryGetValue(name, out var existing))
            {
                return Task.FromResult(false);
            }

            _rules[name] = existing with { Silence = silence };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<AlertGroupState>> GetStatesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AlertGroupState>>(_states.Values.OrderBy(s => s.Rule, StringComparer.Ordinal).ThenBy(s => s.GroupKey, StringComparer.Ordinal).ToArray());
        }
    }

    /// <inheritdoc/>
    public Task SaveEvaluationAsync(
        string rule,
        AlertRuleEvaluation evaluation,
        IReadOnlyList<AlertGroupState> states,
        IReadOnlyList<string> removed,
        IReadOnlyList<AlertTransition> transitions,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(removed);
        ArgumentNullException.ThrowIfNull(transitions);
        lock (_gate)
        {
            if (!_rules.TryGetValue(rule, out var existing))
            {
                return Task.CompletedTask;
            }

            _rules[rule] = existing with { LastEvaluation = evaluation };
            foreach (var state in states)
            {
                _states[(rule, state.GroupKey)] = state;
            }

            foreach (var group in removed)
            {
                _states.Remove((rule, group));
            }

            foreach (var transition in transitions)
            {
                _history.Add((transition with { Sequence = ++_sequence }, null));
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task RecordDeliveryAsync(Guid id, string delivery, int attempts, DateTimeOffset? deliveredAt, string? error, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _history.FindIndex(h => h.Transition.Id == id);
            if (index >= 0)
            {
                _history[index] = (
                    _history[index].Transition with { Delivery = delivery, Attempts = attempts, DeliveredAt = deliveredAt },
                    error is { Length: > PostgresAlertRuleStore.MaxErrorLength } ? error[..PostgresAlertRuleStore.MaxErrorLength] : error);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<AlertTransition>> GetPendingDeliveriesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AlertTransition>>(
                _history.Select(h => h.Transition).Where(t => t.Delivery == AlertDeliveryStates.Pending).ToArray());
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<AlertTransition>> GetHistoryAsync(
        string rule, int limit, long? beforeSequence, DateTimeOffset? beforeTime, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AlertTransition>>(_history
                .Select(h => h.Transition)
                .Where(t => t.Notification.Rule == rule
                    && (beforeSequence is not { } sequence || t.Sequence < sequence)
                    && (beforeTime is not { } time || t.Notification.At < time))
                .OrderByDescending(t => t.Sequence)
                .Take(limit)
                .ToArray());
        }
    }

    private void Remove(string name)
    {
        _rules.Remove(name);
        foreach (var key in _states.Keys.Where(k => k.Rule == name).ToArray())
        {
            _states.Remove(key);
        }

        _history.RemoveAll(h => h.Transition.Notification.Rule == name);
    }
}
