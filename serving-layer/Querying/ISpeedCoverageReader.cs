using Lambda.Shared.Catalog;

namespace Lambda.ServingLayer.Querying;

/// <summary>Where a view's speed deltas start: what <see cref="ViewCoverage"/> needs of the speed tables.</summary>
public interface ISpeedCoverageReader
{
    /// <summary>Per partition, the smallest <c>first_offset</c> stored for <paramref name="view"/> (its current definition); empty when none.</summary>
    Task<IReadOnlyDictionary<int, long>> ReadFirstOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken);
}
