namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>The body of <c>PUT /api/admin/alerts/{name}</c>: the members of a configured rule (snake_case), the name in the path.</summary>
public sealed class AlertRuleBody
{
    /// <summary><c>threshold</c> (default) or <c>drift</c> (fires while the last drift audit of the view found differences; only <c>view</c> applies).</summary>
    public string? Kind { get; set; }

    /// <summary>A view of the catalog (optional for a drift rule: every view).</summary>
    public string? View { get; set; }

    /// <summary>A numeric measure of the view.</summary>
    public string? Measure { get; set; }

    /// <summary>Optional filter (query API <c>filter</c> syntax).</summary>
    public string? Filter { get; set; }

    /// <summary>Optional filter expression (query API <c>where</c> syntax).</summary>
    public string? Where { get; set; }

    /// <summary>Window, e.g. <c>"00:10:00"</c>: a whole number of the view's buckets.</summary>
    public TimeSpan? Window { get; set; }

    /// <summary><c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c> or <c>&lt;=</c>.</summary>
    public string? Condition { get; set; }

    /// <summary>The threshold.</summary>
    public double? Threshold { get; set; }

    /// <summary>Optional dimensions of the view measured per group.</summary>
    public IList<string>? GroupBy { get; set; }

    /// <summary>The rule named <paramref name="name"/> with these members.</summary>
    public AlertRuleOptions ToOptions(string name) => new()
    {
        Name = name,
        Kind = Kind,
        View = View ?? string.Empty,
        Measure = Measure ?? string.Empty,
        Filter = Filter,
        Where = Where,
        Window = Window ?? TimeSpan.Zero,
        Condition = Condition ?? string.Empty,
        Threshold = Threshold,
        GroupBy = GroupBy?.ToList() ?? [],
    };
}
