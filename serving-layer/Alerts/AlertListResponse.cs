namespace Lambda.ServingLayer.Alerts;

/// <summary>The answer of <c>GET /api/alerts</c>.</summary>
/// <param name="EvaluationInterval">How often the rules are evaluated.</param>
/// <param name="Alerts">Every rule with its state, in configuration order.</param>
public sealed record AlertListResponse(TimeSpan EvaluationInterval, IReadOnlyList<AlertRuleStatus> Alerts);
