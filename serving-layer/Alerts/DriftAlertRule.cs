namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// A validated alert rule of kind <c>drift</c>: it fires for a view while the newest drift audit of that view that did not
/// fail found differences between the view's speed deltas and the batch layer (the value is their number; expected 0).
/// With <see cref="View"/> it watches that view (one state); without, every audited view, one group per view
/// (<c>{"view": "..."}</c>).
/// </summary>
public sealed class DriftAlertRule
{
    /// <summary>The name of the value in notifications and logs.</summary>
    public const string MeasureName = "drift_differences";

    /// <summary>The group-by name of a rule over every view.</summary>
    public const string ViewGroup = "view";

    internal DriftAlertRule(string name, string? view)
    {
        Name = name;
        View = view;
    }

    /// <summary>The rule's name.</summary>
    public string Name { get; }

    /// <summary>The view watched; null for every view.</summary>
    public string? View { get; }
}
