using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>One loaded manifest: the published batch views, their watermarks and their files.</summary>
public interface IBatchViewSnapshot
{
    /// <summary>The watermark of every view the manifest names (including views of other definition versions).</summary>
    IReadOnlyCollection<BatchViewWatermark> Views { get; }

    /// <summary>
    /// The manifest entry of <paramref name="view"/> (by name), or null when no batch view of it is published.
    /// The caller compares <see cref="BatchViewWatermark.DefinitionHash"/> with the view's current hash.
    /// </summary>
    BatchViewWatermark? GetWatermark(ViewDefinition view);

    /// <summary>
    /// The groups of <paramref name="view"/>'s published batch view whose bucket lies in the selection's range,
    /// read only from files this snapshot's manifest names. The selection's dimension filter may be applied
    /// (push-down) or not: the caller filters again. Buckets are at the view's granularity.
    /// </summary>
    IAsyncEnumerable<ViewGroup> ReadGroupsAsync(ViewDefinition view, ViewSelection selection, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ReadGroupsAsync(ViewDefinition, ViewSelection, CancellationToken)"/> for a caller that rolls the
    /// groups up to <paramref name="rollUpTo"/> (or coarser) anyway and whose selection range is aligned to it: the
    /// groups may come at any granularity from the view's up to <paramref name="rollUpTo"/>, so a store can serve
    /// groups it rolled up once. The default gives the view's own granularity.
    /// </summary>
    IAsyncEnumerable<ViewGroup> ReadGroupsAsync(ViewDefinition view, ViewSelection selection, Granularity rollUpTo, CancellationToken cancellationToken) =>
        ReadGroupsAsync(view, selection, cancellationToken);
}
