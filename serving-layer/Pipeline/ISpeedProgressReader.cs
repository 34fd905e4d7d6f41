using Lambda.Shared.Catalog;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>The pipeline health sampler's seam to the speed tables: how far the speed layer has stored a view.</summary>
public interface ISpeedProgressReader
{
    /// <summary>The stored progress of <paramref name="view"/>'s speed table (nothing when the table does not exist yet).</summary>
    Task<SpeedProgress> ReadAsync(ViewDefinition view, CancellationToken cancellationToken);
}
