using Lambda.ServingLayer.Alerts.Storage;

namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>A rule and its state as of the leader's last evaluation (what <c>GET /api/alerts</c> returns per rule).</summary>
/// <param name="Name">The rule's name.</param>
/// <param name="Source"><c>configuration</c> (<c>Serving:Alerts:Rules</c>) or <c>api</c> (<c>PUT /api/admin/alerts/{name}</c>).</param>
/// <param name="View">The view queried.</param>
/// <param name="Measure">The measure compared.</param>
/// <param name="Filter">The filter (query API <c>filter</c> syntax), null for none.</param>
/// <param name="Where">The filter expression (query API <c>where</c> syntax), null for none.</param>
/// <param name="Window">Length of the trailing range measured.</param>
/// <param name="Condition">The comparison: <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c> or <c>&lt;=</c>.</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="GroupBy">The dimensions measured per group; empty for one value.</param>
/// <param name="State"><c>firing</c> when the rule (or any of its groups) fires, else <c>ok</c>.</param>
/// <param name="Value">The last value of a rule without groups; null for a grouped rule, before the first evaluation, or when the measure had none.</param>
/// <param name="Since">Since when a rule without groups is in <paramref name="State"/>; for a grouped rule, since when its earliest firing group fires (null while none fires).</param>
/// <param name="FiringGroups">How many groups fire (0 or 1 for a rule without groups).</param>
/// <param name="Groups">The firing groups of a grouped rule (at most 100, longest firing first); empty for a rule without groups.</param>
/// <param name="LastEvaluatedAt">When the last evaluation ran (successful or not); null before the first.</param>
/// <param name="LastError">Why the last evaluation failed; null when it succeeded. A failed evaluation keeps the states.</param>
/// <param name="From">Start of the range of the last successful evaluation.</param>
/// <param name="To">End (exclusive) of the range of the last successful evaluation.</param>
/// <param name="Silence">The silence in force (transitions recorded, not sent), null for none.</param>
/// <param name="Kind"><c>threshold</c> or <c>drift</c> (<see cref="AlertRuleKinds"/>).</param>
public sealed record AlertRuleStatus(
    string Name,
    string Source,
    string View,
    string Measure,
    string? Filter,
    string? Where,
    TimeSpan Window,
    string Condition,
    double? Threshold,
    IReadOnlyList<string> GroupBy,
    string State,
    double? Value,
    DateTimeOffset? Since,
    int FiringGroups,
    IReadOnlyList<AlertGroupStatus> Groups,
    DateTimeOffset? LastEvaluatedAt,
    string? LastError,
    DateTimeOffset? From,
    DateTimeOffset? To,
    AlertSilence? Silence,
    string Kind)
{
    /// <summary>The most groups listed in <see cref="Groups"/>.</summary>
    public const int MaxGroupsListed = 100;

    /// <summary>The status of <paramref name="rule"/> with its stored <paramref name="states"/> at <paramref name="now"/>.</summary>
    public static AlertRuleStatus Of(StoredAlertRule rule, IEnumerable<AlertGroupState> states, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(states);
        var d = rule.Definition;
        // A drift rule over every view is grouped by view, though it names no group_by.
        string[] groupBy = AlertRuleKinds.IsDrift(d) && string.IsNullOrEmpty(d.View) ? [DriftAlertRule.ViewGroup] : d.GroupBy?.ToArray() ?? [];
        var mine = states.Where(s => s.Rule == rule.Name).ToArray();
        var firing = mine.Where(s => s.State == AlertMonitor.Firing).OrderBy(s => s.Since).ThenBy(s => s.GroupKey, StringComparer.Ordinal).ToArray();
        var whole = groupBy.Length == 0 ? mine.FirstOrDefault(s => s.GroupKey == AlertGroupKey.Whole) : null;
        var evaluation = rule.LastEvaluation;
        return new AlertRuleStatus(
            rule.Name,
            rule.Source,
            d.View,
            d.Measure,
            d.Filter,
            d.Where,
            d.Window,
            d.Condition,
            d.Threshold,
            groupBy,
            firing.Length > 0 ? AlertMonitor.Firing : AlertMonitor.Ok,
            whole?.Value,
            groupBy.Length == 0 ? whole?.Since ?? rule.UpdatedAt : firing.FirstOrDefault()?.Since,
            firing.Length,
            groupBy.Length == 0
                ? []
                : firing.Take(MaxGroupsListed).Select(s => new AlertGroupStatus(AlertGroupKey.Parse(s.GroupKey)!, s.State, s.Value, s.Since)).ToArray(),
            evaluation?.At,
            evaluation?.Error,
            evaluation?.From,
            evaluation?.To,
            rule.IsSilencedAt(now) ? rule.Silence : null,
            AlertRuleKinds.TryParse(d.Kind, out var kind) ? kind : d.Kind!);
    }
}
