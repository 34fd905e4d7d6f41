namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>A rule's silence: until <paramref name="Until"/> its transitions are recorded but not sent to the webhook.</summary>
/// <param name="Until">End of the silence (UTC).</param>
/// <param name="Reason">Why, as the operator wrote it; null for none.</param>
public sealed record AlertSilence(DateTimeOffset Until, string? Reason);
