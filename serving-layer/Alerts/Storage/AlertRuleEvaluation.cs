namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>The outcome of one evaluation of a rule as a whole (stored on its <c>alert_rules</c> row).</summary>
/// <param name="At">When it ran.</param>
/// <param name="Error">Why it failed (an API-safe text); null when it succeeded. A failed evaluation keeps every state.</param>
/// <param name="From">Start of the range measured by the last successful evaluation.</param>
/// <param name="To">End (exclusive) of that range.</param>
public sealed record AlertRuleEvaluation(DateTimeOffset At, string? Error, DateTimeOffset? From, DateTimeOffset? To);
