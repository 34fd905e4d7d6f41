namespace Lambda.Shared.Catalog;

/// <summary>A typed field of a source: one of its declared fields, or a derived field (<c>derive:</c>).</summary>
/// <param name="Name">Field name: the JSON property name (declared fields) and the column name downstream.</param>
/// <param name="Ordinal">
/// Position in the source's declaration order (0-based); the index used by <see cref="Events.EventRecord"/>. Derived
/// fields come after the declared ones, in their own declaration order.
/// </param>
/// <param name="Type">The field's type (for a derived field, the type its expression has).</param>
public sealed record FieldDefinition(string Name, int Ordinal, FieldType Type)
{
    /// <summary>
    /// The canonical text of the expression of a derived field (see <see cref="SourceDefinition.DerivedFields"/>);
    /// null for a declared field. Derived values are computed from the event at aggregation time, never stored in
    /// the master dataset, and are null when an input is null or the expression faults (division by zero, overflow).
    /// </summary>
    public string? Expression { get; init; }

    /// <summary>True for a derived field.</summary>
    public bool IsDerived => Expression is not null;

    /// <summary><c>name: type</c>, or <c>name: type = expression</c> for a derived field.</summary>
    public override string ToString() => Expression is null ? $"{Name}: {Type}" : $"{Name}: {Type} = {Expression}";
}
