namespace Lambda.Shared.Catalog;

/// <summary>A typed field of a source.</summary>
/// <param name="Name">Field name: the JSON property name and the column name downstream.</param>
/// <param name="Ordinal">Position in the source's declaration order (0-based); the index used by <see cref="Events.EventRecord"/>.</param>
/// <param name="Type">The field's type.</param>
public sealed record FieldDefinition(string Name, int Ordinal, FieldType Type)
{
    /// <summary><c>name: type</c>.</summary>
    public override string ToString() => $"{Name}: {Type}";
}
