using Lambda.Shared.Batch;

namespace Lambda.ServingLayer.Ingest;

/// <summary>Where the batch layer's archiver reports its lag (<see cref="ArchiverLagSchema"/>).</summary>
public interface IArchiverLagSource
{
    /// <summary>The reports younger than <paramref name="maxAge"/> by the store's clock.</summary>
    Task<IReadOnlyList<ArchiverLagReport>> ReadAsync(TimeSpan maxAge, CancellationToken cancellationToken);
}
