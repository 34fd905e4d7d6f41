using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>One loaded manifest: the published batch views, their watermarks and their files.</summary>
public interface IBatchViewSnapshot
{
    /// <summary>The watermark of every view the manifest names (including views of other definition versions), by view name.</summary>
    IReadOnlyDictionary<string, ViewWatermark> Views { get; }

    /// <summary>
    /// The manifest entry of <paramref name="view"/> (by name), or null when no batch view of it is published.
    /// The caller compares <see cref="ViewWatermark.DefinitionHash"/> with the view's current hash.
    /// </summary>
    ViewWatermark? GetWatermark(ViewDefinition view);

    /// <summary>
    /// The groups of <paramref name="view"/>'s published batch view whose bucket lies in the selection's range and whose
    /// dimension values pass its filter (applied here, once), read only from files this snapshot's manifest names, at
    /// <paramref name="granularity"/> (the view's or a coarser one the range is aligned to; a store may serve groups it
    /// rolled up once, or finer buckets down to the view's: the caller rolls up anyway). The caller has checked the view's definition against <see cref="GetWatermark"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The view cannot be rolled up to <paramref name="granularity"/>, or the range is not aligned to it.</exception>
    IAsyncEnumerable<ViewGroup> ReadGroupsAsync(ViewDefinition view, ViewSelection selection, Granularity granularity, CancellationToken cancellationToken);
}
