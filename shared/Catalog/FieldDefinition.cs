using Lambda.Shared.Events;

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

    /// <summary>
    /// True for a declared field written <c>type?</c> in the catalog: an event may leave it out or send JSON null.
    /// It then takes <see cref="Default"/>, or is null when there is none; master-dataset files written before the
    /// field existed read the same way.
    /// </summary>
    public bool IsOptional { get; init; }

    /// <summary>The value of an optional field when absent or null (<c>type? = value</c>); null when none is declared.</summary>
    public FieldValue? Default { get; init; }

    /// <summary>
    /// The lookups whose rows the field's value depends on (an enriched field: its lookup; a derived field: those of the
    /// fields it reads, transitively); empty for a declared field. A view using such a field applies the lookups' <c>on_missing</c>.
    /// </summary>
    public IReadOnlyList<string> Lookups { get; init; } = [];

    /// <summary>True for a derived field.</summary>
    public bool IsDerived => Expression is not null;

    /// <summary>
    /// True when the field's value can be null in a record: a derived field, or an optional field without a default.
    /// Views then give its null dimension value a group of its own and their measures skip its nulls.
    /// </summary>
    public bool IsNullable => IsDerived || (IsOptional && Default is null);

    /// <summary><c>name: type</c>, <c>name: type?</c>, <c>name: type? = default</c>, or <c>name: type = expression</c> for a derived field.</summary>
    public override string ToString() => Expression is not null
        ? $"{Name}: {Type} = {Expression}"
        : !IsOptional ? $"{Name}: {Type}" : Default is { } value ? $"{Name}: {Type}? = {FieldDefaults.Format(value)}" : $"{Name}: {Type}?";
}
