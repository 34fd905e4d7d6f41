namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// Alert rules and how they are evaluated (configuration section <c>Serving:Alerts</c>), validated at start-up
/// against the catalog by <see cref="AlertOptionsValidator"/>.
/// </summary>
public sealed class AlertOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Serving:Alerts";

    /// <summary>The rules (<c>Serving:Alerts:Rules:0:Name</c>, ...). Default none: the evaluator idles.</summary>
    public IList<AlertRuleOptions> Rules { get; init; } = [];

    /// <summary>How often every rule is evaluated (one query per rule). Default 10 s; 1 s to 1 h.</summary>
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Absolute http(s) URL that receives a JSON <see cref="AlertNotification"/> (POST) on every transition
    /// ok → firing and firing → ok. Default none: transitions are only logged.
    /// </summary>
    public string? WebhookUrl { get; init; }

    /// <summary>How long one webhook call may take before it counts as failed. Default 5 s; 1 s to 1 min.</summary>
    public TimeSpan WebhookTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
