namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// The Parquet files that make up each view's currently published batch view (one per day), which
/// the ad hoc SQL command exposes as <c>batch_&lt;view&gt;</c>; answered from the manifest
/// (<see cref="ManifestBatchViewFiles"/>).
/// </summary>
public interface IPublishedBatchViewFiles
{
    /// <summary>View name → absolute paths of its published day files, under the dataset root <paramref name="datasetRoot"/>.</summary>
    /// <exception cref="InvalidDataException">The manifest is unreadable or inconsistent.</exception>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetAsync(string datasetRoot, CancellationToken cancellationToken);
}
