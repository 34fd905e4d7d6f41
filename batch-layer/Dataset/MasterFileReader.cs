using Parquet;

namespace Lambda.BatchLayer.Dataset;

/// <summary>Reads master-dataset files row group by row group into a <see cref="MasterRowBatch"/>. Thread-safe (stateless).</summary>
public static class MasterFileReader
{
    /// <summary>
    /// Reads the file at <paramref name="path"/>: for each row group, loads <paramref name="batch"/> and calls
    /// <paramref name="onRowGroup"/> with it.
    /// </summary>
    /// <returns>The number of rows read.</returns>
    /// <exception cref="InvalidDataException">The file is not a master-dataset file of the batch's source.</exception>
    public static async Task<long> ReadAsync(string path, MasterRowBatch batch, Action<MasterRowBatch> onRowGroup, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(onRowGroup);
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        var metadata = reader.CustomMetadata;
        if (!metadata.TryGetValue(MasterFileSchema.SourceKey, out var source) || !string.Equals(source, batch.Schema.Source.Name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not a master-dataset file of source '{batch.Schema.Source.Name}' ({MasterFileSchema.SourceKey} is '{source}')");
        }

        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
        long rows = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rowGroup = reader.OpenRowGroupReader(g);
            await batch.LoadAsync(rowGroup, fields, path, cancellationToken).ConfigureAwait(false);
            rows += batch.Count;
            onRowGroup(batch);
        }

        return rows;
    }
}
