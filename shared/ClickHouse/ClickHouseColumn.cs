namespace Lambda.Shared.ClickHouse;

/// <summary>A result column: its name and its ClickHouse type as the server spells it (e.g. <c>Decimal(18, 2)</c>).</summary>
public sealed record ClickHouseColumn(string Name, string Type);
