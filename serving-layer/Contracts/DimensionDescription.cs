namespace Lambda.ServingLayer.Contracts;

/// <summary>A dimension of a view.</summary>
/// <param name="Name">Field name (a <c>group_by</c> and <c>filter</c> name; a key in result rows).</param>
/// <param name="Type">Field type: string, long, double, decimal(p,s), bool or timestamp.</param>
/// <param name="Expression">
/// For a derived field (<c>derive:</c> in the catalog), its canonical expression, e.g. <c>bucket(amount, 50)</c>; its value
/// may be null (a group of its own, rendered as JSON null). Null for a field of the events.
/// </param>
public sealed record DimensionDescription(string Name, string Type, string? Expression = null);
