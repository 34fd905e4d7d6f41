using Lambda.ServingLayer.Alerts.Delivery;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Drift;
using Lambda.ServingLayer.Limits;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Telemetry;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// Evaluates the stored alert rules on the leading instance: rules are re-read from the <see cref="IAlertRuleStore"/> every
/// round (a <c>PUT</c> on any instance counts from the next round), one query per rule through the query engine
/// (granularity all, grouped by the rule's <c>group_by</c>), so rules share answers with identical API queries.
/// </summary>
/// <remarks>
/// <para>
/// A rule without <c>group_by</c> has one state. A grouped rule has one per group: a group in the answer fires while the
/// comparison holds for its value; a firing group that is missing from the answer (no data left in the window) goes back
/// to ok with the measure's empty value (0 for count and sum, none for min, max, avg). Only firing groups are stored.
/// </para>
/// <para>
/// Every transition (ok → firing, firing → ok) is recorded in the store with a new id in the same transaction as the new
/// states, then queued for the webhook (unless the rule is silenced or no webhook is set). States are loaded from the store
/// when this instance starts to lead, so a new leader does not repeat transitions its predecessor recorded; it re-queues
/// the predecessor's undelivered ones. A failing query or store write keeps the rule's states; the next round tries again.
/// Rounds never overlap.
/// </para>
/// <para>
/// A rule of kind <c>drift</c> (<see cref="DriftAlertRule"/>) is measured from the drift audits instead of a query: per view,
/// the differences the newest completed audit found; it fires while they are above 0, with the same states and transitions.
/// </para>
/// </remarks>
public sealed partial class AlertMonitor
{
    private readonly Dictionary<string, Dictionary<string, AlertGroupState>> _states = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _evaluating = new(1, 1);
    private readonly IAlertRuleStore _store;
    private readonly LambdaCatalog _catalog;
    private readonly ViewQueryEngine _engine;
    private readonly AlertDeliveryService? _deliveries;
    private readonly IOptions<AlertOptions> _options;
    private readonly int _maxGroups;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertMonitor> _logger;
    private readonly ServingLayerMetrics? _metrics;
    private readonly IDriftReportStore? _drift;
    private bool _loaded;

    /// <summary>Creates the monitor; without <paramref name="deliveries"/> transitions are recorded but never sent.</summary>
    public AlertMonitor(
        IAlertRuleStore store,
        LambdaCatalog catalog,
        ViewQueryEngine engine,
        IOptions<AlertOptions> options,
        TimeProvider timeProvider,
        ILogger<AlertMonitor> logger,
        AlertDeliveryService? deliveries = null,
        IOptions<QueryLimitsOptions>? limits = null,
        ServingLayerMetrics? metrics = null,
        IDriftReportStore? drift = null)
    {
        _store = store;
        _catalog = catalog;
        _engine = engine;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _deliveries = deliveries;
        _maxGroups = (limits?.Value ?? new QueryLimitsOptions()).MaxGroups;
        _metrics = metrics;
        _drift = drift;
    }

    /// <summary>Forgets the states held in memory: the next round loads them from the store (after this instance stopped leading).</summary>
    public void Reset()
    {
        _loaded = false;
        _metrics?.AlertRulesEvaluated([]);
    }

    /// <summary>Evaluates every stored rule once, in name order, at the time provider's current instant.</summary>
    public async Task EvaluateAllAsync(CancellationToken cancellationToken)
    {
        await _evaluating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_loaded)
            {
                await LoadAsync(cancellationToken).ConfigureAwait(false);
            }

            var rules = await _store.GetRulesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var gone in _states.Keys.Where(k => rules.All(r => r.Name != k)).ToArray())
            {
                _states.Remove(gone);
            }

            foreach (var rule in rules)
            {
                await EvaluateAsync(rule, cancellationToken).ConfigureAwait(false);
            }

            _metrics?.AlertRulesEvaluated(rules.Select(r => r.Name).ToArray());
        }
        finally
        {
            _evaluating.Release();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        _states.Clear();
        foreach (var state in await _store.GetStatesAsync(cancellationToken).ConfigureAwait(false))
        {
            Groups(state.Rule)[state.GroupKey] = state;
        }

        var pending = await _store.GetPendingDeliveriesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var transition in pending)
        {
            _deliveries?.Enqueue(transition);
        }

        LogLoaded(_logger, _states.Sum(s => s.Value.Count), pending.Count);
        _loaded = true;
    }

    private Dictionary<string, AlertGroupState> Groups(string rule)
    {
        if (!_states.TryGetValue(rule, out var groups))
        {
            groups = new Dictionary<string, AlertGroupState>(StringComparer.Ordinal);
            _states[rule] = groups;
        }

        return groups;
    }

    private async Task EvaluateAsync(StoredAlertRule stored, CancellationToken cancellationToken)
    {
        if (AlertRuleKinds.IsDrift(stored.Definition))
        {
            await EvaluateDriftAsync(stored, cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = _time.GetUtcNow();
        var errors = new List<string>();
        var rule = AlertRuleCompiler.TryCompile(stored.Definition, _catalog, (member, text) => errors.Add(member + text));
        if (rule is null)
        {
            // The catalog changed under a stored rule: the rule keeps its states until it is fixed or deleted.
            LogInvalid(_logger, stored.Name, string.Join(" ", errors));
            await SaveErrorAsync(stored.Name, now, $"the rule does not fit the catalog: {string.Join(" ", errors)}", cancellationToken).ConfigureAwait(false);
            return;
        }

        var query = rule.QueryAt(now, _maxGroups + 1);
        Dictionary<string, double?> measured;
        try
        {
            var result = await _engine.ExecuteAsync(query, cancellationToken).ConfigureAwait(false);
            if (rule.GroupBy.Count > 0 && result.Rows.Count > _maxGroups)
            {
                await SaveErrorAsync(rule.Name, now, $"the answer has more than {_maxGroups} groups (Serving:Limits:MaxGroups); states are kept", cancellationToken).ConfigureAwait(false);
                return;
            }

            measured = Measure(rule, result);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The status is an API answer: the exception's text (hosts, URLs) goes to the log under a correlation id only.
            var correlationId = Guid.NewGuid().ToString("N")[..16];
            LogEvaluationFailed(_logger, e, rule.Name, rule.View.Name, correlationId);
            await SaveErrorAsync(rule.Name, now, $"the evaluation failed; the error was logged with correlation id {correlationId}", cancellationToken).ConfigureAwait(false);
            return;
        }

        await ApplyAsync(
            stored,
            now,
            rule.GroupBy.Count > 0,
            measured,
            ToDouble(rule.EmptyValue),
            value => value is { } v && rule.Condition.Holds(v, rule.Threshold),
            (key, state, previous, value) => new AlertNotification(
                Guid.CreateVersion7(now), rule.Name, AlertGroupKey.Parse(key), state, previous, rule.View.Name, rule.Measure.Name, rule.FilterText,
                rule.Window, rule.Condition.ToSymbol(), rule.Threshold, value, query.Range.Start, query.Range.End, now),
            query.Range.Start,
            query.Range.End,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A <c>drift</c> rule: the newest drift audit of each view that did not fail, one value per view (its differences),
    /// firing while it is above 0. The notification's range is the audit's time (from = to = when it ran).
    /// </summary>
    private async Task EvaluateDriftAsync(StoredAlertRule stored, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var errors = new List<string>();
        var rule = AlertRuleCompiler.TryCompileDrift(stored.Definition, _catalog, (member, text) => errors.Add(member + text));
        if (rule is null || _drift is null)
        {
            var reason = rule is null ? $"the rule does not fit the catalog: {string.Join(" ", errors)}" : "this instance has no drift audit store";
            LogInvalid(_logger, stored.Name, reason);
            await SaveErrorAsync(stored.Name, now, reason, cancellationToken).ConfigureAwait(false);
            return;
        }

        var measured = new Dictionary<string, double?>(StringComparer.Ordinal);
        var auditedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        try
        {
            foreach (var audit in await _drift.GetLatestCompletedAsync(cancellationToken).ConfigureAwait(false))
            {
                if (rule.View is null || audit.View == rule.View)
                {
                    var key = rule.View is null ? AlertGroupKey.Format([DriftAlertRule.ViewGroup], [FieldValue.FromString(audit.View)]) : AlertGroupKey.Whole;
                    measured[key] = audit.Differences;
                    auditedAt[key] = new DateTimeOffset(audit.AuditedAt, TimeSpan.Zero);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var correlationId = Guid.NewGuid().ToString("N")[..16];
            LogEvaluationFailed(_logger, e, rule.Name, rule.View ?? "(every view)", correlationId);
            await SaveErrorAsync(rule.Name, now, $"the evaluation failed; the error was logged with correlation id {correlationId}", cancellationToken).ConfigureAwait(false);
            return;
        }

        await ApplyAsync(
            stored,
            now,
            rule.View is null,
            measured,
            0,
            value => value > 0,
            (key, state, previous, value) =>
            {
                var at = auditedAt.TryGetValue(key, out var a) ? a : now;
                var group = AlertGroupKey.Parse(key);
                return new AlertNotification(
                    Guid.CreateVersion7(now), rule.Name, group, state, previous, rule.View ?? group?[DriftAlertRule.ViewGroup] ?? string.Empty,
                    DriftAlertRule.MeasureName, null, TimeSpan.Zero, AlertConditionExtensions.Symbols[0], 0, value, at, at, now);
            },
            auditedAt.Count == 0 ? null : auditedAt.Values.Min(),
            auditedAt.Count == 0 ? null : auditedAt.Values.Max(),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves the states of one rule to what was <paramref name="measured"/> (see the class remarks), records the evaluation and
    /// its transitions, and queues and logs them.
    /// </summary>
    private async Task ApplyAsync(
        StoredAlertRule stored,
        DateTimeOffset now,
        bool grouped,
        Dictionary<string, double?> measured,
        double? emptyValue,
        Func<double?, bool> fires,
        Func<string, string, string, double?, AlertNotification> notify,
        DateTimeOffset? from,
        DateTimeOffset? to,
        CancellationToken cancellationToken)
    {
        var name = stored.Name;
        var groups = Groups(name);
        var written = new List<AlertGroupState>();
        var removed = new List<string>();
        var transitions = new List<AlertTransition>();
        var silenced = stored.IsSilencedAt(now);
        var webhook = !string.IsNullOrWhiteSpace(_options.Value.WebhookUrl);

        // A firing group missing from the answer is measured as empty, and goes back to ok whatever the comparison says.
        var keys = measured.Keys.Concat(groups.Keys.Where(k => !measured.ContainsKey(k))).ToArray();
        foreach (var key in keys)
        {
            var present = measured.TryGetValue(key, out var value);
            if (!present)
            {
                value = emptyValue;
            }

            var firing = present && fires(value);
            var state = firing ? Firing : Ok;
            var before = groups.GetValueOrDefault(key);
            var previous = before?.State ?? Ok;
            var changed = previous != state;
            var next = new AlertGroupState(name, key, state, value, changed || before is null ? now : before.Since, now);
            // Only firing groups are kept for a grouped rule; a group key that does not fit the rule (its group_by was
            // changed by a PUT) is resolved like a missing group and dropped.
            if ((grouped || key != AlertGroupKey.Whole) && !firing)
            {
                if (before is not null)
                {
                    removed.Add(key);
                }
            }
            else
            {
                written.Add(next);
            }

            if (changed)
            {
                var notification = notify(key, state, previous, value);
                var delivery = silenced ? AlertDeliveryStates.Silenced : webhook ? AlertDeliveryStates.Pending : AlertDeliveryStates.None;
                transitions.Add(new AlertTransition(notification.Id, 0, notification, key, silenced, delivery, 0, null));
            }
        }

        try
        {
            await _store.SaveEvaluationAsync(
                name, new AlertRuleEvaluation(now, null, from, to), written, removed, transitions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing of this round counts: the next round measures again and records the transitions then.
            LogSaveFailed(_logger, e, name);
            return;
        }

        foreach (var state in written)
        {
            groups[state.GroupKey] = state;
        }

        foreach (var key in removed)
        {
            groups.Remove(key);
        }

        _metrics?.AlertFiring(name, groups.Values.Count(s => s.State == Firing));
        foreach (var transition in transitions)
        {
            var n = transition.Notification;
            var range = $"[{n.From:O}, {n.To:O})";
            _metrics?.AlertTransition(name, n.State);
            if (n.State == Firing)
            {
                LogFiring(_logger, name, transition.GroupKey, n.Measure, n.View, range, n.Value, n.Condition, n.Threshold, silenced);
            }
            else
            {
                LogResolved(_logger, name, transition.GroupKey, n.Measure, n.View, range, n.Value, n.Condition, n.Threshold, silenced);
            }

            if (transition.Delivery == AlertDeliveryStates.Pending)
            {
                _deliveries?.Enqueue(transition);
            }
        }
    }

    private async Task SaveErrorAsync(string rule, DateTimeOffset now, string error, CancellationToken cancellationToken)
    {
        try
        {
            await _store.SaveEvaluationAsync(rule, new AlertRuleEvaluation(now, error, null, null), [], [], [], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSaveFailed(_logger, e, rule);
        }
    }

    private static Dictionary<string, double?> Measure(AlertRule rule, ViewQueryResult result)
    {
        var measured = new Dictionary<string, double?>(StringComparer.Ordinal);
        if (rule.GroupBy.Count == 0)
        {
            measured[AlertGroupKey.Whole] = ToDouble(result.Rows.Count == 0 ? rule.EmptyValue : result.Rows[0].Values[rule.MeasureIndex]);
            return measured;
        }

        var names = rule.GroupByNames;
        foreach (var row in result.Rows)
        {
            measured[AlertGroupKey.Format(names, row.Dimensions)] = ToDouble(row.Values[rule.MeasureIndex]);
        }

        return measured;
    }

    private static double? ToDouble(MeasureValue value) => value.IsNull ? null : value.ToDouble();

    /// <summary>The state name of a firing rule or group.</summary>
    public const string Firing = "firing";

    /// <summary>The state name of a rule or group that does not fire.</summary>
    public const string Ok = "ok";

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Alert {Rule} {Group} firing: {Measure} of {View} over {Range} is {Value}, {Condition} {Threshold} (silenced: {Silenced})")]
    private static partial void LogFiring(ILogger logger, string rule, string group, string measure, string view, string range, double? value, string condition, double threshold, bool silenced);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Alert {Rule} {Group} resolved: {Measure} of {View} over {Range} is {Value}, no longer {Condition} {Threshold} (silenced: {Silenced})")]
    private static partial void LogResolved(ILogger logger, string rule, string group, string measure, string view, string range, double? value, string condition, double threshold, bool silenced);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Rule}: evaluating view {View} failed (correlation id {CorrelationId}); its states stay as they were")]
    private static partial void LogEvaluationFailed(ILogger logger, Exception exception, string rule, string view, string correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Rule} no longer fits the catalog: {Errors}")]
    private static partial void LogInvalid(ILogger logger, string rule, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Rule}: recording the evaluation failed; the next round evaluates again")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string rule);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {States} alert states; {Pending} notifications were still pending and are sent again")]
    private static partial void LogLoaded(ILogger logger, int states, int pending);
}
