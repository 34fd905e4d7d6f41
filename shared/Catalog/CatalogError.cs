namespace Lambda.Shared.Catalog;

/// <summary>One problem found while loading a catalog.</summary>
/// <param name="Path">Dotted path of the offending node, e.g. <c>views.revenue_by_country.measures.buyers</c>
/// (list items as <c>dimensions[1]</c>; <c>catalog</c> for the document itself).</param>
/// <param name="Message">What is wrong, naming the offending value.</param>
/// <param name="Line">1-based line in the YAML text, when known.</param>
/// <param name="Column">1-based column in the YAML text, when known (expressions: where the offending token starts).</param>
public sealed record CatalogError(string Path, string Message, int? Line = null, int? Column = null)
{
    /// <summary><c>path: message</c>, e.g. <c>views.revenue_by_country.measures.buyers: field 'usr' is not in source 'orders'</c>.</summary>
    public override string ToString() => $"{Path}: {Message}";
}
