namespace Lambda.BatchLayer.Loading;

/// <summary>A column of a ClickHouse batch table.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">ClickHouse type, e.g. <c>UInt64</c>, <c>Decimal(18,2)</c>.</param>
public sealed record BatchTableColumn(string Name, string Type);
