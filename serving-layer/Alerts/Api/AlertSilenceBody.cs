namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>The body of <c>PUT /api/admin/alerts/{name}/silence</c>.</summary>
public sealed class AlertSilenceBody
{
    /// <summary>End of the silence: a UTC instant in the future, e.g. <c>"2026-11-25T18:00:00Z"</c>. Required.</summary>
    public DateTimeOffset? Until { get; set; }

    /// <summary>Why (at most 500 characters). Optional.</summary>
    public string? Reason { get; set; }
}
