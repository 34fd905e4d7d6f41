namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>A rule as stored in <c>alert_rules</c>: its definition, where it came from, its silence and its last evaluation.</summary>
/// <param name="Definition">The rule's members.</param>
/// <param name="Source"><see cref="AlertRuleSources.Configuration"/> or <see cref="AlertRuleSources.Api"/>.</param>
/// <param name="Silence">The silence set through the admin API, null for none (an expired one is still returned).</param>
/// <param name="UpdatedAt">When the definition was last written.</param>
/// <param name="LastEvaluation">The leader's last evaluation of the rule, null before one.</param>
public sealed record StoredAlertRule(
    AlertRuleOptions Definition,
    string Source,
    AlertSilence? Silence,
    DateTimeOffset UpdatedAt,
    AlertRuleEvaluation? LastEvaluation)
{
    /// <summary>The rule's name.</summary>
    public string Name => Definition.Name;

    /// <summary>Whether the rule is silenced at <paramref name="now"/>.</summary>
    public bool IsSilencedAt(DateTimeOffset now) => Silence is { } silence && silence.Until > now;
}
