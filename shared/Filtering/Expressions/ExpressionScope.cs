using Lambda.Shared.Catalog;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// What a value expression may name: the source's fields and the derived fields defined before it, the event time,
/// and (for messages) the derived fields it may not use yet.
/// </summary>
/// <param name="SourceName">The source, for messages.</param>
/// <param name="TimeField">The event-time property; the name reads the event time.</param>
/// <param name="Fields">The fields the expression may read, by name.</param>
/// <param name="Self">The derived field being defined, or null.</param>
/// <param name="LaterDerived">Derived fields defined after <paramref name="Self"/>: naming one is a forward reference.</param>
internal sealed record ExpressionScope(
    string SourceName,
    string TimeField,
    IReadOnlyDictionary<string, FieldDefinition> Fields,
    string? Self,
    IReadOnlySet<string> LaterDerived);
