namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>Where a stored rule came from (<c>alert_rules.source</c>).</summary>
public static class AlertRuleSources
{
    /// <summary>From <c>Serving:Alerts:Rules</c>; written at every start, refused by the admin API.</summary>
    public const string Configuration = "configuration";

    /// <summary>From <c>PUT /api/admin/alerts/{name}</c>.</summary>
    public const string Api = "api";
}
