using Lambda.Shared.Catalog;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>A compiled derived field: the field, its expression and the declared fields (ordinals) it reads, transitively.</summary>
internal sealed record DerivedFieldCompilation(FieldDefinition Field, ValueNode Expression, IReadOnlyList<int> RawInputs);
