namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>The answer of <c>GET /api/alerts/{name}/history</c>.</summary>
/// <param name="Rule">The rule's name.</param>
/// <param name="Transitions">Newest first.</param>
/// <param name="NextBefore">The <c>before</c> of the next (older) page; null when this page is the last.</param>
public sealed record AlertHistoryResponse(string Rule, IReadOnlyList<AlertHistoryEntry> Transitions, long? NextBefore);
