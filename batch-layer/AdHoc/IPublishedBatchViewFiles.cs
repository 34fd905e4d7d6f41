namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// The Parquet files that make up each view's currently published batch view (one per day), which
/// the ad hoc SQL command exposes as <c>batch_&lt;view&gt;</c>. The seam to the manifest: today
/// <see cref="RunHistoryBatchViewFiles"/> answers from the run history; a reader of the shared
/// manifest (<c>shared/BatchViews</c>) can replace it.
/// </summary>
public interface IPublishedBatchViewFiles
{
    /// <summary>View name → absolute paths of its published day files (existing files only).</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetAsync(string datasetRoot, CancellationToken cancellationToken);
}
