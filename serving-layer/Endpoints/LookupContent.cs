namespace Lambda.ServingLayer.Endpoints;

/// <summary>The current version of a lookup with its rows (column name to value; valid_from as published).</summary>
/// <param name="Lookup">The lookup's name.</param>
/// <param name="Version">The current version.</param>
/// <param name="PublishedAt">When it was published (UTC).</param>
/// <param name="Columns">The columns in order: keys, valid_from when versioned, values.</param>
/// <param name="Rows">The rows.</param>
public sealed record LookupContent(string Lookup, long Version, DateTimeOffset PublishedAt, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows);
