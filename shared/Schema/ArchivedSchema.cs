namespace Lambda.Shared.Schema;

/// <summary>
/// The declared fields a source's master dataset has been written with, kept in <c>master/&lt;source&gt;/_schema.json</c>
/// by the archiver (<see cref="ArchivedSchemaStore"/>): every field any archiver start has declared, including fields
/// the catalog has since removed (so that bringing one back with another type is caught).
/// </summary>
/// <param name="Source">The source name.</param>
/// <param name="Fields">The archived fields, in the order they were first declared.</param>
public sealed record ArchivedSchema(string Source, IReadOnlyList<ArchivedField> Fields)
{
    /// <summary>The field named <paramref name="name"/>, or null.</summary>
    public ArchivedField? Find(string name) => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
}
