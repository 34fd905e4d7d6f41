using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// Reads the groups of one published batch-view file. The seam to the batch-view file format: today
/// <see cref="ParquetBatchViewSource"/> reads the Parquet layout of the design notes directly; it
/// can be replaced by an adapter over the shared reader (<c>shared/BatchViews</c>) without touching
/// the loader.
/// </summary>
public interface IBatchViewSource
{
    /// <summary>Streams the rows of <paramref name="path"/>, a file of <paramref name="view"/>.</summary>
    /// <exception cref="InvalidDataException">The file does not have the view's layout.</exception>
    IAsyncEnumerable<BatchViewRow> ReadAsync(ViewDefinition view, string path, CancellationToken cancellationToken);
}
