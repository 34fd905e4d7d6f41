namespace Lambda.ServingLayer.Alerts;

/// <summary>One alert rule as configured (an item of <c>Serving:Alerts:Rules</c>); see <see cref="AlertRule"/> for its meaning.</summary>
public sealed class AlertRuleOptions
{
    /// <summary>Unique name (letters, digits, <c>_</c>, <c>-</c>, <c>.</c>; at most 100), used in <c>GET /api/alerts/{name}</c>. Required.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>
    /// <c>threshold</c> (the default: <see cref="Measure"/> over <see cref="Window"/> compared with <see cref="Threshold"/>) or
    /// <c>drift</c> (fires while the last drift audit of a view found differences; only <see cref="View"/> applies, optional).
    /// </summary>
    // Left out of the stored definition when unset, so rules stored before kinds existed compare equal to their configuration.
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }

    /// <summary>A view of the catalog. Required (optional for a drift rule: every view).</summary>
    public string View { get; init; } = string.Empty;

    /// <summary>A numeric measure of that view (count, sum, min, max, avg, distinct of a number). Required.</summary>
    public string Measure { get; init; } = string.Empty;

    /// <summary>Optional dimension filter in the query API's <c>filter</c> syntax (<c>country:US,country:DE</c>). Default none.</summary>
    public string? Filter { get; init; }

    /// <summary>
    /// Optional dimension filter in the query API's <c>where</c> syntax, the catalog's expression language over the view's
    /// dimensions (<c>country IN ('US','DE')</c>); with <see cref="Filter"/> both must hold. Default none.
    /// </summary>
    public string? Where { get; init; }

    /// <summary>
    /// Length of the trailing range measured, a positive whole number of the view's buckets (e.g. <c>00:05:00</c> on a
    /// per-minute view). Required.
    /// </summary>
    public TimeSpan Window { get; init; }

    /// <summary>How the value is compared with <see cref="Threshold"/>: <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c> or <c>&lt;=</c>. Required.</summary>
    public string Condition { get; init; } = string.Empty;

    /// <summary>The number the value is compared with. Required.</summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// Optional dimensions of the view (distinct, at most <see cref="AlertRuleCompiler.MaxGroupBy"/>): the rule is measured
    /// per group of their values, and each group fires and resolves on its own (a group missing from the answer is ok).
    /// Default none: one value for the whole view.
    /// </summary>
    public IList<string> GroupBy { get; init; } = [];
}
