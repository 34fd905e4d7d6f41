using Lambda.Shared.Catalog;

namespace Lambda.Shared.Lookups;

/// <summary>
/// A lookup (reference data) declared in the catalog's <c>lookups:</c>: key columns, an optional <c>valid_from</c>
/// versioning by event time, typed value columns and what happens to an event whose key has no row.
/// Its rows are published separately (admin endpoint, batch-layer command); every publish is a new version.
/// </summary>
/// <param name="Name">The lookup name (a safe identifier).</param>
/// <param name="Keys">The key columns, in declaration order (an enrichment gives one key expression per column).</param>
/// <param name="Versioning">Whether rows carry <c>valid_from</c> (a day or an instant).</param>
/// <param name="Values">The value columns, in declaration order.</param>
/// <param name="OnMissing">What a view does when no row is valid at the event's time.</param>
public sealed record LookupDefinition(
    string Name,
    IReadOnlyList<LookupColumn> Keys,
    LookupVersioning Versioning,
    IReadOnlyList<LookupColumn> Values,
    LookupMissingPolicy OnMissing)
{
    /// <summary>The column that versions rows by event time, when <see cref="Versioning"/> is not <see cref="LookupVersioning.None"/>.</summary>
    public const string ValidFromColumn = "valid_from";

    /// <summary>The value column named <paramref name="name"/>, or null.</summary>
    public LookupColumn? FindValue(string name) => Values.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>Every column a published row has: keys, <c>valid_from</c> when versioned, values.</summary>
    public IEnumerable<string> ColumnNames =>
        Keys.Select(k => k.Name).Concat(Versioning == LookupVersioning.None ? [] : [ValidFromColumn]).Concat(Values.Select(v => v.Name));

    /// <summary>
    /// The canonical text of what determines joined values (keys, versioning, values with types, on_missing): part of the
    /// definition hash of the views that use the lookup.
    /// </summary>
    public string CanonicalForm =>
        $"{Name}(keys=[{string.Join(",", Keys)}];valid_from={Versioning.ToString().ToLowerInvariant()};values=[{string.Join(",", Values)}];on_missing={OnMissing.ToName()})";

    /// <inheritdoc/>
    public override string ToString() => $"lookup {Name}";

    /// <summary>Equality by canonical form (the lists compare by content).</summary>
    public bool Equals(LookupDefinition? other) => other is not null && string.Equals(CanonicalForm, other.CanonicalForm, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalForm);
}
