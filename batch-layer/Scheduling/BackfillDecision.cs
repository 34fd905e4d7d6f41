using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>Which catalog views need their history filled by a recompute of their own.</summary>
public static class BackfillDecision
{
    /// <summary>
    /// The names (catalog order) of the <paramref name="views"/> that <paramref name="manifest"/> (null: nothing
    /// published yet) holds no batch view of with the view's current <see cref="ViewDefinition.DefinitionHash"/>:
    /// new views, and views whose definition changed since their batch view was computed.
    /// </summary>
    public static IReadOnlyList<string> ViewsToBackfill(IEnumerable<ViewDefinition> views, BatchManifest? manifest)
    {
        ArgumentNullException.ThrowIfNull(views);
        return views
            .Where(view => manifest?.FindView(view.Name) is not { } entry
                || !string.Equals(entry.DefinitionHash, view.DefinitionHash, StringComparison.Ordinal))
            .Select(view => view.Name)
            .ToArray();
    }
}
