namespace Lambda.Shared.SpeedViews;

/// <summary>A column of a speed table: its name and its ClickHouse type as written in the DDL.</summary>
/// <param name="Name">Column name (a safe identifier).</param>
/// <param name="Type">ClickHouse type, e.g. <c>UInt64</c>, <c>Decimal(18, 2)</c>.</param>
public sealed record SpeedColumn(string Name, string Type);
