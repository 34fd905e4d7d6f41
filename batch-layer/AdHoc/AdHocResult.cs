namespace Lambda.BatchLayer.AdHoc;

/// <summary>The rows of an ad hoc query (for console output).</summary>
/// <param name="Columns">Column names and DuckDB type names.</param>
/// <param name="Rows">The first rows, at most the requested limit, values as DuckDB.NET returns them.</param>
/// <param name="TotalRows">Rows the query returned in all.</param>
public sealed record AdHocResult(IReadOnlyList<AdHocColumn> Columns, IReadOnlyList<object?[]> Rows, long TotalRows);
