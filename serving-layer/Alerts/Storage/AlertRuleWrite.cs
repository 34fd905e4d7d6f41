namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>The outcome of writing or deleting a rule through the admin API.</summary>
public enum AlertRuleWrite
{
    /// <summary>A new rule was stored.</summary>
    Created = 1,

    /// <summary>An API rule was replaced (or deleted).</summary>
    Replaced = 2,

    /// <summary>No rule has that name.</summary>
    NotFound = 3,

    /// <summary>The rule comes from configuration: refused.</summary>
    Configured = 4,
}
