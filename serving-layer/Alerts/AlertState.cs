namespace Lambda.ServingLayer.Alerts;

/// <summary>The state of an alert rule.</summary>
public enum AlertState
{
    /// <summary>The condition did not hold at the last evaluation (or the rule was not evaluated yet).</summary>
    Ok = 0,

    /// <summary>The condition held at the last evaluation.</summary>
    Firing = 1,
}
