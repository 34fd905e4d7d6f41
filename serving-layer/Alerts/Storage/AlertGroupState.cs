namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>
/// The state of one group of a rule (<c>alert_states</c>). A rule without <c>group_by</c> has one group, key <c>""</c>,
/// kept in every state; a grouped rule keeps only its firing groups (a group without a row is ok).
/// </summary>
/// <param name="Rule">The rule's name.</param>
/// <param name="GroupKey">The group (see <see cref="AlertGroupKey"/>).</param>
/// <param name="State"><c>ok</c> or <c>firing</c>.</param>
/// <param name="Value">The value of the last successful evaluation; null when the measure had none.</param>
/// <param name="Since">Since when the group is in <paramref name="State"/>.</param>
/// <param name="EvaluatedAt">When the value was measured.</param>
public sealed record AlertGroupState(string Rule, string GroupKey, string State, double? Value, DateTimeOffset Since, DateTimeOffset EvaluatedAt);
