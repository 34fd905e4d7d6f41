namespace Lambda.ServingLayer.Contracts;

/// <summary>A dimension of a view.</summary>
/// <param name="Name">Field name (a <c>group_by</c> and <c>filter</c> name; a key in result rows).</param>
/// <param name="Type">Field type: string, long, double, decimal(p,s), bool or timestamp.</param>
public sealed record DimensionDescription(string Name, string Type);
