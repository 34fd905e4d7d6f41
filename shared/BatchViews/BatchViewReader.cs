using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Parquet;
using Parquet.Schema;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// Reads published batch views back as <see cref="ViewGroup"/>s with their exact measure states.
/// </summary>
/// <remarks>
/// Reads the files the batch layer's recompute writes (format <c>batch-view/1</c>, <see cref="BatchViewSchema"/>, described in docs/design-notes.md,
/// "Batch views, the manifest and the recompute"); the finalised <c>&lt;m&gt;_value</c> columns are ignored here, the
/// states come from the <c>&lt;m&gt;</c> columns (<see cref="MeasureState.ToBytes"/>). Thread-safe.
/// </remarks>
public sealed class BatchViewReader
{
    /// <summary>Creates a reader for files under the dataset root <paramref name="root"/>.</summary>
    public BatchViewReader(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The absolute dataset root.</summary>
    public string Root { get; }

    /// <summary>Reads one batch-view day file of <paramref name="view"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a batch-view file of this view version.</exception>
    public async Task<IReadOnlyList<ViewGroup>> ReadFileAsync(string path, ViewDefinition view, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(view);
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        var metadata = reader.CustomMetadata;
        if (!metadata.TryGetValue(BatchViewSchema.FormatKey, out var format) || format != BatchViewSchema.FormatValue)
        {
            throw new InvalidDataException($"'{path}' is not a batch-view file ({BatchViewSchema.FormatKey} is '{format}', expected '{BatchViewSchema.FormatValue}')");
        }

        if (!metadata.TryGetValue(BatchViewSchema.HashKey, out var hash) || hash != view.DefinitionHash)
        {
            throw new InvalidDataException($"'{path}' holds view version {hash}, not {view.DefinitionHash} of view '{view.Name}'");
        }

        var bucketField = Find(reader.Schema, BatchViewSchema.BucketColumn, path);
        var dimensionFields = view.Dimensions.Select(d => Find(reader.Schema, d.Name, path)).ToArray();
        var stateFields = view.Measures.Select(m => Find(reader.Schema, m.Name, path)).ToArray();
        var groups = new List<ViewGroup>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var rowGroup = reader.OpenRowGroupReader(g);
            var n = checked((int)rowGroup.RowCount);
            var buckets = new DateTime[n];
            await rowGroup.ReadAsync<DateTime>(bucketField, buckets, cancellationToken: cancellationToken).ConfigureAwait(false);
            var dimensions = new FieldValue[view.Dimensions.Count][];
            for (var d = 0; d < dimensions.Length; d++)
            {
                dimensions[d] = await ParquetColumns.ReadValuesAsync(rowGroup, dimensionFields[d], view.Dimensions[d].Type, n, cancellationToken).ConfigureAwait(false);
            }

            var states = new byte[]?[view.Measures.Count][];
            for (var m = 0; m < states.Length; m++)
            {
                states[m] = new byte[]?[n];
                await rowGroup.ReadAsync(stateFields[m], states[m].AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < n; i++)
            {
                var dims = new FieldValue[dimensions.Length];
                for (var d = 0; d < dims.Length; d++)
                {
                    dims[d] = dimensions[d][i];
                }

                var measureStates = new MeasureState[states.Length];
                for (var m = 0; m < measureStates.Length; m++)
                {
                    var bytes = states[m][i] ?? throw new InvalidDataException($"'{path}': measure '{view.Measures[m].Name}' is null in row {i}");
                    try
                    {
                        measureStates[m] = view.Measures[m].ReadState(bytes);
                    }
                    catch (FormatException ex)
                    {
                        throw new InvalidDataException($"'{path}': measure '{view.Measures[m].Name}' in row {i}: {ex.Message}", ex);
                    }
                }

                groups.Add(new ViewGroup(view, ParquetColumns.ToEpochMilliseconds(buckets[i]), dims, measureStates));
            }
        }

        return groups;
    }

    private static DataField Find(ParquetSchema schema, string name, string path) =>
        schema.GetDataFields().FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))
        ?? throw new InvalidDataException($"'{path}' has no column '{name}'");
}
