namespace Lambda.ServingLayer.Alerts;

/// <summary>A rule and its state as of its last evaluation (what <c>GET /api/alerts</c> returns per rule).</summary>
/// <param name="Name">The rule's name.</param>
/// <param name="View">The view queried.</param>
/// <param name="Measure">The measure compared.</param>
/// <param name="Filter">The filter (query API syntax), null for none.</param>
/// <param name="Window">Length of the trailing range measured.</param>
/// <param name="Condition">The comparison: <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c> or <c>&lt;=</c>.</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="State"><c>ok</c> or <c>firing</c>.</param>
/// <param name="Value">The value of the last successful evaluation; null before one, or when the measure had no value.</param>
/// <param name="Since">Since when the rule is in <paramref name="State"/> (the service's start for a rule that never fired).</param>
/// <param name="LastEvaluatedAt">When the last evaluation ran (successful or not); null before the first.</param>
/// <param name="LastError">Why the last evaluation failed; null when it succeeded. A failed evaluation keeps the state.</param>
/// <param name="From">Start of the range of the last successful evaluation.</param>
/// <param name="To">End (exclusive) of the range of the last successful evaluation.</param>
public sealed record AlertRuleStatus(
    string Name,
    string View,
    string Measure,
    string? Filter,
    TimeSpan Window,
    string Condition,
    double Threshold,
    string State,
    double? Value,
    DateTimeOffset Since,
    DateTimeOffset? LastEvaluatedAt,
    string? LastError,
    DateTimeOffset? From,
    DateTimeOffset? To);
