namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The serving layer's seam to the published batch views (Parquet files named by the manifest).
/// The real implementation is a thin adapter over Lambda.Shared's BatchViews reader and ManifestStore.
/// </summary>
public interface IBatchViewStore
{
    /// <summary>
    /// Loads the currently published manifest once. Everything a query reads from the batch side comes
    /// through the returned snapshot, so a query never sees half of a publish: a manifest swapped in
    /// while the query runs is not looked at.
    /// </summary>
    Task<IBatchViewSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken);
}
