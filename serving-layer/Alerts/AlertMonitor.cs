using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Telemetry;
using Lambda.Shared.Time;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// Holds the configured <see cref="AlertRule"/>s and their states, and evaluates them through the query engine: one
/// query per rule (granularity all, no group-by), so rules share answers with identical API queries.
/// </summary>
/// <remarks>
/// Every rule starts <c>ok</c>. On each transition ok → firing (a warning) and firing → ok (information) it logs and
/// calls the <see cref="IAlertNotifier"/>; a failing notification is logged and not repeated: the next transition
/// sends its own. A failing query keeps the rule's state and records the error. Evaluations never overlap.
/// </remarks>
public sealed partial class AlertMonitor
{
    private readonly IReadOnlyList<AlertRule> _rules;
    private readonly Dictionary<string, AlertRuleStatus> _states;
    private readonly Lock _statesLock = new();
    private readonly SemaphoreSlim _evaluating = new(1, 1);
    private readonly ViewQueryEngine _engine;
    private readonly IAlertNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertMonitor> _logger;
    private readonly ServingLayerMetrics? _metrics;

    /// <summary>Compiles the rules of <paramref name="options"/> against <paramref name="catalog"/>.</summary>
    /// <exception cref="OptionsValidationException">A rule is invalid (normally caught at start-up by <see cref="AlertOptionsValidator"/>).</exception>
    public AlertMonitor(
        IOptions<AlertOptions> options,
        LambdaCatalog catalog,
        ViewQueryEngine engine,
        IAlertNotifier notifier,
        TimeProvider timeProvider,
        ILogger<AlertMonitor> logger,
        ServingLayerMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        _rules = AlertRuleCompiler.Compile(options.Value, catalog, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(AlertOptions.SectionName, typeof(AlertOptions), errors);
        }

        _engine = engine;
        _notifier = notifier;
        _time = timeProvider;
        _logger = logger;
        _metrics = metrics;
        var start = timeProvider.GetUtcNow();
        _states = _rules.ToDictionary(
            r => r.Name,
            r => new AlertRuleStatus(
                r.Name, r.View.Name, r.Measure.Name, r.FilterText, r.Window, r.Condition.ToSymbol(), r.Threshold,
                Name(AlertState.Ok), null, start, null, null, null, null),
            StringComparer.Ordinal);
        foreach (var rule in _rules)
        {
            _metrics?.AlertState(rule.Name, firing: false, changed: false);
        }
    }

    /// <summary>The rules, in configuration order.</summary>
    public IReadOnlyList<AlertRule> Rules => _rules;

    /// <summary>Every rule's status, in configuration order.</summary>
    public IReadOnlyList<AlertRuleStatus> GetStatuses()
    {
        lock (_statesLock)
        {
            return _rules.Select(r => _states[r.Name]).ToArray();
        }
    }

    /// <summary>The status of the rule named <paramref name="name"/> (ordinal), or null.</summary>
    public AlertRuleStatus? GetStatus(string name)
    {
        lock (_statesLock)
        {
            return _states.GetValueOrDefault(name);
        }
    }

    /// <summary>Evaluates every rule once, in order, at the time provider's current instant.</summary>
    public async Task EvaluateAllAsync(CancellationToken cancellationToken)
    {
        await _evaluating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var rule in _rules)
            {
                await EvaluateAsync(rule, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _evaluating.Release();
        }
    }

    private async Task EvaluateAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var query = rule.QueryAt(now);
        double? value;
        try
        {
            var result = await _engine.ExecuteAsync(query, cancellationToken).ConfigureAwait(false);
            var measured = result.Rows.Count == 0 ? rule.EmptyValue : result.Rows[0].Values[rule.MeasureIndex];
            value = measured.IsNull ? null : measured.ToDouble();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The status is an API answer: the exception's text (hosts, URLs) goes to the log under a correlation id only.
            var correlationId = Guid.NewGuid().ToString("N")[..16];
            LogEvaluationFailed(_logger, e, rule.Name, rule.View.Name, correlationId);
            Update(rule.Name, s => s with { LastEvaluatedAt = now, LastError = $"the evaluation failed; the error was logged with correlation id {correlationId}" });
            return;
        }

        var state = value is { } v && rule.Condition.Holds(v, rule.Threshold) ? AlertState.Firing : AlertState.Ok;
        var before = GetStatus(rule.Name)!;
        var changed = before.State != Name(state);
        Update(rule.Name, s => s with
        {
            State = Name(state),
            Value = value,
            Since = changed ? now : s.Since,
            LastEvaluatedAt = now,
            LastError = null,
            From = query.Range.Start,
            To = query.Range.End,
        });
        _metrics?.AlertState(rule.Name, state == AlertState.Firing, changed);
        if (!changed)
        {
            return;
        }

        var range = query.Range.ToString();
        if (state == AlertState.Firing)
        {
            LogFiring(_logger, rule.Name, rule.Measure.Name, rule.View.Name, range, value, rule.Condition.ToSymbol(), rule.Threshold);
        }
        else
        {
            LogResolved(_logger, rule.Name, rule.Measure.Name, rule.View.Name, range, value, rule.Condition.ToSymbol(), rule.Threshold);
        }

        var notification = new AlertNotification(
            rule.Name, Name(state), before.State, rule.View.Name, rule.Measure.Name, rule.FilterText, rule.Window, rule.Condition.ToSymbol(),
            rule.Threshold, value, query.Range.Start, query.Range.End, now);
        try
        {
            await _notifier.NotifyAsync(notification, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNotificationFailed(_logger, e, rule.Name, Name(state));
        }
    }

    private void Update(string name, Func<AlertRuleStatus, AlertRuleStatus> change)
    {
        lock (_statesLock)
        {
            _states[name] = change(_states[name]);
        }
    }

    private static string Name(AlertState state) => state == AlertState.Firing ? "firing" : "ok";

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Alert {Rule} firing: {Measure} of {View} over {Range} is {Value}, {Condition} {Threshold}")]
    private static partial void LogFiring(ILogger logger, string rule, string measure, string view, string range, double? value, string condition, double threshold);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Alert {Rule} resolved: {Measure} of {View} over {Range} is {Value}, no longer {Condition} {Threshold}")]
    private static partial void LogResolved(ILogger logger, string rule, string measure, string view, string range, double? value, string condition, double threshold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Rule}: evaluating view {View} failed (correlation id {CorrelationId}); its state stays as it was")]
    private static partial void LogEvaluationFailed(ILogger logger, Exception exception, string rule, string view, string correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Rule}: the {State} notification failed; the next transition notifies again")]
    private static partial void LogNotificationFailed(ILogger logger, Exception exception, string rule, string state);
}
