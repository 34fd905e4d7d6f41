namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// The JSON body POSTed to <see cref="AlertOptions.WebhookUrl"/> on a transition (snake_case members), e.g.
/// <c>{"id":"0f8e…","rule":"failed_payments_per_user","group":{"user_id":"u-1"},"state":"firing","previous_state":"ok",
/// "view":"failed_payments_by_user","measure":"failures","filter":null,"window":"00:10:00","condition":"&gt;","threshold":5,
/// "value":6,"from":"2026-11-25T09:58:00Z","to":"2026-11-25T10:08:00Z","at":"2026-11-25T10:07:20Z"}</c>.
/// Retries and a new leader's re-sends carry the same <see cref="Id"/>: a receiver deduplicates by it.
/// </summary>
/// <param name="Id">The transition's stable id (the <c>alert_history</c> row).</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="Group">The group's dimension values for a rule with <c>group_by</c>; null for a rule without.</param>
/// <param name="State">The new state: <c>firing</c> or <c>ok</c>.</param>
/// <param name="PreviousState">The state before: <c>ok</c> or <c>firing</c>.</param>
/// <param name="View">The view queried.</param>
/// <param name="Measure">The measure compared.</param>
/// <param name="Filter">The rule's filter, null for none.</param>
/// <param name="Window">The window length.</param>
/// <param name="Condition">The comparison (<c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>).</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="Value">The value measured, null when the measure had none (empty min/max/avg).</param>
/// <param name="From">Start of the range measured (inclusive).</param>
/// <param name="To">End of the range measured (exclusive).</param>
/// <param name="At">When the evaluation ran (UTC).</param>
public sealed record AlertNotification(
    Guid Id,
    string Rule,
    IReadOnlyDictionary<string, string?>? Group,
    string State,
    string PreviousState,
    string View,
    string Measure,
    string? Filter,
    TimeSpan Window,
    string Condition,
    double Threshold,
    double? Value,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset At);
