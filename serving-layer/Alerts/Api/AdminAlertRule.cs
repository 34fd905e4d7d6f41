using Lambda.ServingLayer.Alerts.Storage;

namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>A stored rule as <c>GET /api/admin/alerts</c> and <c>PUT /api/admin/alerts/{name}</c> return it.</summary>
/// <param name="Name">The rule's name.</param>
/// <param name="Source"><c>configuration</c> or <c>api</c>.</param>
/// <param name="View">The view.</param>
/// <param name="Measure">The measure.</param>
/// <param name="Filter">The filter, null for none.</param>
/// <param name="Where">The filter expression, null for none.</param>
/// <param name="Window">The window.</param>
/// <param name="Condition">The comparison.</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="GroupBy">The group-by dimensions.</param>
/// <param name="Silence">The silence set, null for none (also when it has expired).</param>
/// <param name="UpdatedAt">When the definition was last written.</param>
/// <param name="Kind"><c>threshold</c> or <c>drift</c> (<see cref="AlertRuleKinds"/>).</param>
public sealed record AdminAlertRule(
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
    AlertSilence? Silence,
    DateTimeOffset UpdatedAt,
    string Kind)
{
    /// <summary>The description of <paramref name="rule"/> at <paramref name="now"/>.</summary>
    public static AdminAlertRule From(StoredAlertRule rule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var d = rule.Definition;
        return new AdminAlertRule(
            rule.Name, rule.Source, d.View, d.Measure, d.Filter, d.Where, d.Window, d.Condition, d.Threshold, d.GroupBy?.ToArray() ?? [],
            rule.IsSilencedAt(now) ? rule.Silence : null, rule.UpdatedAt, AlertRuleKinds.TryParse(d.Kind, out var kind) ? kind : d.Kind!);
    }
}
