using System.Globalization;
using Lambda.Shared.Catalog;
using Parquet;
using Parquet.Schema;

namespace Lambda.BatchLayer.Dataset;

/// <summary>Writes a <see cref="MasterRowBuffer"/> as one master-dataset Parquet file. Thread-safe (stateless).</summary>
public sealed class MasterFileWriter
{
    /// <summary>Rows per Parquet row group. Default 1,000,000.</summary>
    public int RowGroupSize { get; init; } = 1_000_000;

    /// <summary>
    /// Writes the rows to <paramref name="path"/> (created or replaced), optionally flushing the file to
    /// disk before returning. The caller decides the name: the archiver writes aside and renames. A row group
    /// never crosses one of <paramref name="segmentStarts"/> (ascending row indexes; a flush file starts one per
    /// UTC day), so each row group's event-time statistics cover one segment.
    /// </summary>
    public async Task WriteAsync(string path, MasterFileSchema schema, MasterRowBuffer rows, bool flushToDisk, CancellationToken cancellationToken, IReadOnlyList<int>? segmentStarts = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(rows);
        if (!ReferenceEquals(rows.Source, schema.Source))
        {
            throw new ArgumentException($"the rows are from source '{rows.Source.Name}', the schema is of '{schema.Source.Name}'", nameof(rows));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(RowGroupSize, 1);
        if (rows.Count == 0)
        {
            throw new ArgumentException("there are no rows to write", nameof(rows));
        }

        if (segmentStarts is not null && (segmentStarts.Count == 0 || segmentStarts[0] != 0
            || segmentStarts.Zip(segmentStarts.Skip(1)).Any(p => p.First >= p.Second) || segmentStarts[^1] >= rows.Count))
        {
            throw new ArgumentException("segment starts must begin at 0 and ascend strictly within the rows", nameof(segmentStarts));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        await using (var writer = await ParquetWriter.CreateAsync(schema.Schema, stream, Options(schema), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            writer.CustomMetadata = new Dictionary<string, string>
            {
                [MasterFileSchema.FormatKey] = MasterFileSchema.FormatValue,
                [MasterFileSchema.SourceKey] = schema.Source.Name,
                [MasterFileSchema.PartitionKey] = Partition(rows).ToString(CultureInfo.InvariantCulture),
                [MasterFileSchema.MinOffsetKey] = rows.MinOffset.ToString(CultureInfo.InvariantCulture),
                [MasterFileSchema.MaxOffsetKey] = rows.MaxOffset.ToString(CultureInfo.InvariantCulture),
            };
            var segments = segmentStarts ?? [0];
            for (var s = 0; s < segments.Count; s++)
            {
                var end = s + 1 < segments.Count ? segments[s + 1] : rows.Count;
                for (var start = segments[s]; start < end; start += RowGroupSize)
                {
                    using var rowGroup = writer.CreateRowGroup();
                    await WriteRowGroupAsync(rowGroup, schema, rows, start, Math.Min(RowGroupSize, end - start), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (flushToDisk)
        {
            stream.Flush(flushToDisk: true);
        }
    }

    private static int Partition(MasterRowBuffer rows)
    {
        var partitions = rows.Partitions.AsSpan(0, rows.Count);
        var partition = partitions[0];
        if (partitions.ContainsAnyExcept(partition))
        {
            throw new ArgumentException("a master-dataset file holds rows of one Kafka partition only", nameof(rows));
        }

        return partition;
    }

    // String columns are dictionary-encoded when their values repeat enough (Parquet.Net's uniqueness threshold,
    // judged on a sample): low-cardinality fields such as country or status shrink and decode faster, for the
    // recompute and for DuckDB alike; unique ones (ids) stay plain.
    private static ParquetOptions Options(MasterFileSchema schema)
    {
        var options = new ParquetOptions { DictionaryEncodingSampleSize = 1_000 };
        for (var f = 0; f < schema.Fields.Count; f++)
        {
            if (schema.Source.Fields[f].Type.Kind == FieldKind.String)
            {
                options.ColumnEncodingHints[schema.Fields[f].Path.ToString()] = EncodingHint.Dictionary;
            }
        }

        return options;
    }

    private static async Task WriteRowGroupAsync(ParquetRowGroupWriter rowGroup, MasterFileSchema schema, MasterRowBuffer rows, int start, int count, CancellationToken cancellationToken)
    {
        var types = schema.Source.Fields;
        for (var f = 0; f < types.Count; f++)
        {
            var field = schema.Fields[f];
            var column = rows.GetColumn(f);
            if (types[f].IsOptional)
            {
                await WriteOptionalAsync(rowGroup, field, types[f].Type, column, start, count, cancellationToken).ConfigureAwait(false);
                continue;
            }

            switch (types[f].Type.Kind)
            {
                case FieldKind.String:
                    await rowGroup.WriteAsync(field, new ArraySegment<string>((string[])column, start, count)).ConfigureAwait(false);
                    break;
                case FieldKind.Long:
                    await WriteAsync<long>(rowGroup, field, column, start, count, cancellationToken).ConfigureAwait(false);
                    break;
                case FieldKind.Double:
                    await WriteAsync<double>(rowGroup, field, column, start, count, cancellationToken).ConfigureAwait(false);
                    break;
                case FieldKind.Decimal:
                    await WriteAsync<decimal>(rowGroup, field, column, start, count, cancellationToken).ConfigureAwait(false);
                    break;
                case FieldKind.Bool:
                    await WriteAsync<bool>(rowGroup, field, column, start, count, cancellationToken).ConfigureAwait(false);
                    break;
                case FieldKind.Timestamp:
                    await WriteAsync<DateTime>(rowGroup, field, column, start, count, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        await WriteAsync<DateTime>(rowGroup, schema.EventTime, rows.EventTimes, start, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync<int>(rowGroup, schema.Partition, rows.Partitions, start, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync<long>(rowGroup, schema.Offset, rows.Offsets, start, count, cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteOptionalAsync(ParquetRowGroupWriter rowGroup, DataField field, FieldType type, Array column, int start, int count, CancellationToken cancellationToken) =>
        type.Kind switch
        {
            FieldKind.String => rowGroup.WriteAsync(field, new ArraySegment<string>((string[])column, start, count)),
            FieldKind.Long => WriteNullableAsync<long>(rowGroup, field, column, start, count, cancellationToken),
            FieldKind.Double => WriteNullableAsync<double>(rowGroup, field, column, start, count, cancellationToken),
            FieldKind.Decimal => WriteNullableAsync<decimal>(rowGroup, field, column, start, count, cancellationToken),
            FieldKind.Bool => WriteNullableAsync<bool>(rowGroup, field, column, start, count, cancellationToken),
            FieldKind.Timestamp => WriteNullableAsync<DateTime>(rowGroup, field, column, start, count, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type"),
        };

    private static Task WriteNullableAsync<T>(ParquetRowGroupWriter rowGroup, DataField field, Array column, int start, int count, CancellationToken cancellationToken)
        where T : struct =>
        rowGroup.WriteAsync<T>(field, new ReadOnlyMemory<T?>((T?[])column, start, count), cancellationToken: cancellationToken);

    private static Task WriteAsync<T>(ParquetRowGroupWriter rowGroup, DataField field, Array column, int start, int count, CancellationToken cancellationToken)
        where T : struct =>
        rowGroup.WriteAsync<T>(field, new ReadOnlyMemory<T>((T[])column, start, count), cancellationToken: cancellationToken);
}
