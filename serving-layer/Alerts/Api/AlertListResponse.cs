namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>The answer of <c>GET /api/alerts</c>.</summary>
/// <param name="EvaluationInterval">How often the rules are evaluated.</param>
/// <param name="Leader">Whether the instance that answered leads alert evaluation (the others only read the stored states).</param>
/// <param name="Alerts">Every rule with its state, by name.</param>
public sealed record AlertListResponse(TimeSpan EvaluationInterval, bool Leader, IReadOnlyList<AlertRuleStatus> Alerts);
