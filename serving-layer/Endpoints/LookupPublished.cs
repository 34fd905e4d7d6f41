namespace Lambda.ServingLayer.Endpoints;

/// <summary>The answer to a lookup publish: the version now current.</summary>
/// <param name="Lookup">The lookup's name.</param>
/// <param name="Version">The new version.</param>
/// <param name="PublishedAt">When it was published (UTC).</param>
/// <param name="Rows">How many rows it holds.</param>
public sealed record LookupPublished(string Lookup, long Version, DateTimeOffset PublishedAt, int Rows);
