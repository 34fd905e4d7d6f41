namespace Lambda.ServingLayer.Contracts;

/// <summary>Body of <c>GET /api/views</c>: every view of the catalog.</summary>
public sealed record CatalogResponse(IReadOnlyList<ViewDescription> Views);
