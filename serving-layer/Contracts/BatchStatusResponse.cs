namespace Lambda.ServingLayer.Contracts;

/// <summary>Body of <c>GET /api/admin/batch/status</c>.</summary>
/// <param name="Runs">The latest runs, newest first.</param>
/// <param name="Watermark">The published batch views (from the manifest), by view name.</param>
/// <param name="LookupRedo">
/// Per view joining a lookup, the published days (at or below its watermark) that the next recompute will redo because a
/// lookup version published since joins them differently (a back-dated change); views with nothing to redo are left out.
/// </param>
public sealed record BatchStatusResponse(
    IReadOnlyList<BatchRunDescription> Runs,
    IReadOnlyDictionary<string, PublishedViewDescription> Watermark,
    IReadOnlyDictionary<string, IReadOnlyList<DateOnly>>? LookupRedo = null);
