using Lambda.Shared.BatchViews;
using Parquet;
using Parquet.Schema;

namespace Lambda.Shared.Dataset;

/// <summary>Reads master-dataset files row group by row group into a <see cref="MasterRowBatch"/>. Thread-safe (stateless).</summary>
public static class MasterFileReader
{
    /// <summary>
    /// Reads the file at <paramref name="path"/>: for each row group, loads <paramref name="batch"/> and calls
    /// <paramref name="onRowGroup"/> with it. With <paramref name="rowGroupFilter"/>, a row group is read only when
    /// the filter accepts the range of its event times (UTC epoch ms, inclusive, from the row group's statistics;
    /// a row group without statistics is always read): a flush file holds one row group per UTC day, so a reader of
    /// some days decodes only their rows.
    /// </summary>
    /// <returns>The number of rows read.</returns>
    /// <exception cref="InvalidDataException">The file is not a master-dataset file of the batch's source.</exception>
    public static Task<long> ReadAsync(
        string path, MasterRowBatch batch, Action<MasterRowBatch> onRowGroup, CancellationToken cancellationToken, Func<long, long, bool>? rowGroupFilter = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return ReadAsync(path, batch.Schema, () => batch, onRowGroup, cancellationToken, rowGroupFilter);
    }

    /// <summary>
    /// As <see cref="ReadAsync(string, MasterRowBatch, Action{MasterRowBatch}, CancellationToken, Func{long, long, bool}?)"/>,
    /// loading each row group into the batch <paramref name="nextBatch"/> returns for it (a new one keeps every row group's
    /// rows, as the replay reader's sort needs).
    /// </summary>
    public static async Task<long> ReadAsync(
        string path,
        MasterFileSchema schema,
        Func<MasterRowBatch> nextBatch,
        Action<MasterRowBatch> onRowGroup,
        CancellationToken cancellationToken,
        Func<long, long, bool>? rowGroupFilter = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(nextBatch);
        ArgumentNullException.ThrowIfNull(onRowGroup);
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        var metadata = reader.CustomMetadata;
        if (!metadata.TryGetValue(MasterFileSchema.SourceKey, out var source) || !string.Equals(source, schema.Source.Name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not a master-dataset file of source '{schema.Source.Name}' ({MasterFileSchema.SourceKey} is '{source}')");
        }

        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
        long rows = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var rowGroup = reader.OpenRowGroupReader(g);
            if (rowGroupFilter is not null && EventTimeRange(rowGroup, fields) is { } range && !rowGroupFilter(range.Min, range.Max))
            {
                continue;
            }

            var batch = nextBatch();
            await batch.LoadAsync(rowGroup, fields, path, cancellationToken).ConfigureAwait(false);
            rows += batch.Count;
            onRowGroup(batch);
        }

        return rows;
    }

    // The statistics are exact because event times are written in milliseconds (see ParquetColumns).
    private static (long Min, long Max)? EventTimeRange(ParquetRowGroupReader rowGroup, IReadOnlyDictionary<string, DataField> fields)
    {
        if (!fields.TryGetValue(MasterFileSchema.EventTimeColumn, out var field))
        {
            return null;
        }

        var statistics = rowGroup.GetStatistics(field);
        return statistics is null || ToMilliseconds(statistics.MinValue) is not { } min || ToMilliseconds(statistics.MaxValue) is not { } max
            ? null
            : (min, max);
    }

    private static long? ToMilliseconds(object? value) => value switch
    {
        DateTime time => ParquetColumns.ToEpochMilliseconds(time),
        DateTimeOffset time => time.ToUnixTimeMilliseconds(),
        long milliseconds => milliseconds,
        _ => null,
    };
}
