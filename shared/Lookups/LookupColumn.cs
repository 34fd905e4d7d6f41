using Lambda.Shared.Catalog;

namespace Lambda.Shared.Lookups;

/// <summary>A typed column of a lookup (a key column or a value column).</summary>
/// <param name="Name">The column name: the CSV header, the JSON property and, for a value column, the enriched field's name.</param>
/// <param name="Type">The column's type (the catalog's field types).</param>
public sealed record LookupColumn(string Name, FieldType Type)
{
    /// <summary><c>name: type</c>.</summary>
    public override string ToString() => $"{Name}: {Type}";
}
