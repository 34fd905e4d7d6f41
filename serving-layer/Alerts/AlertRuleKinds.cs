namespace Lambda.ServingLayer.Alerts;

/// <summary>The kinds of alert rule (<see cref="AlertRuleOptions.Kind"/>).</summary>
public static class AlertRuleKinds
{
    /// <summary>A measure of a view over a trailing window compared with a threshold (the default).</summary>
    public const string Threshold = "threshold";

    /// <summary>Fires while the last completed drift audit of a view found differences (see <see cref="DriftAlertRule"/>).</summary>
    public const string Drift = "drift";

    /// <summary>Every kind, as written in a rule.</summary>
    public static IReadOnlyList<string> All { get; } = [Threshold, Drift];

    /// <summary>Whether <paramref name="rule"/> is a drift rule.</summary>
    public static bool IsDrift(AlertRuleOptions rule) => string.Equals(rule?.Kind, Drift, StringComparison.Ordinal);

    /// <summary>Reads a rule's kind: null or empty means <see cref="Threshold"/>.</summary>
    public static bool TryParse(string? text, out string kind)
    {
        kind = string.IsNullOrEmpty(text) ? Threshold : text;
        return All.Contains(kind, StringComparer.Ordinal);
    }
}
