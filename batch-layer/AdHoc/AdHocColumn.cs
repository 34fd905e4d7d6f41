namespace Lambda.BatchLayer.AdHoc;

/// <summary>A result column.</summary>
/// <param name="Name">Column name.</param>
/// <param name="TypeName">DuckDB type name, e.g. <c>BIGINT</c>, <c>VARCHAR</c>.</param>
public sealed record AdHocColumn(string Name, string TypeName);
