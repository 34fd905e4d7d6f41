using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Contracts;

/// <summary>A view as the API describes it.</summary>
/// <param name="Name">View name (the <c>{view}</c> of <c>GET /api/views/{view}</c>).</param>
/// <param name="Source">The source whose events it aggregates.</param>
/// <param name="Filter">The view's <c>where</c> condition, null when it takes every event.</param>
/// <param name="Granularity">Stored bucket width: minute, hour or day (queries may roll up to coarser ones or all).</param>
/// <param name="Dimensions">Group-by fields with their types.</param>
/// <param name="Measures">Measures with their expression and result type.</param>
/// <param name="DefinitionHash">Version of the definition (changes whenever the view would compute something else).</param>
public sealed record ViewDescription(
    string Name,
    string Source,
    string? Filter,
    string Granularity,
    IReadOnlyList<DimensionDescription> Dimensions,
    IReadOnlyList<MeasureDescription> Measures,
    string DefinitionHash)
{
    /// <summary>Describes <paramref name="view"/>.</summary>
    public static ViewDescription From(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new ViewDescription(
            view.Name,
            view.Source.Name,
            view.FilterText,
            view.Granularity.ToName(),
            view.Dimensions.Select(d => new DimensionDescription(d.Name, d.Type.ToString(), d.Expression)).ToArray(),
            view.Measures.Select(m => new MeasureDescription(m.Name, m.Kind.ToName(), m.Expression, m.Field?.Name, m.ResultKind.ToString().ToLowerInvariant())).ToArray(),
            view.DefinitionHash);
    }
}
