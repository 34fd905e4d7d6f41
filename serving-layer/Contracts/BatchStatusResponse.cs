namespace Lambda.ServingLayer.Contracts;

/// <summary>Body of <c>GET /api/admin/batch/status</c>.</summary>
/// <param name="Runs">The latest runs, newest first.</param>
/// <param name="Watermark">The published batch views (from the manifest), by view name.</param>
public sealed record BatchStatusResponse(IReadOnlyList<BatchRunDescription> Runs, IReadOnlyDictionary<string, PublishedViewDescription> Watermark);
