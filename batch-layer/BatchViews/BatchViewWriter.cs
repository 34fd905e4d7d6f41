using System.Globalization;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;
using Parquet;

namespace Lambda.BatchLayer.BatchViews;

/// <summary>
/// Writes one day of a batch view as a Parquet file (the shared format <see cref="BatchViewSchema"/>, read back by
/// <see cref="BatchViewReader"/>); only the recompute writes them: the groups
/// sorted by bucket and dimension values, each measure as its serialised state plus its finalised value.
/// The file is written under a temporary name, flushed to disk and then renamed, so a file at its final
/// name is always complete. Thread-safe (stateless).
/// </summary>
public sealed class BatchViewWriter
{
    /// <summary>
    /// Writes <paramref name="groups"/> (all of <paramref name="view"/>, all with buckets on
    /// <paramref name="day"/>) to <paramref name="path"/>, replacing a file of that name.
    /// </summary>
    /// <returns>The number of rows written.</returns>
    /// <exception cref="ArgumentException">A group of another view version, or with a bucket outside the day.</exception>
    public async Task<long> WriteAsync(string path, ViewDefinition view, DateOnly day, string runId, IEnumerable<ViewGroup> groups, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(groups);
        BatchViewLayout.ValidateRunId(runId);
        var schema = new BatchViewSchema(view);
        var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
        var dayEnd = dayStart + GranularityExtensions.DayMilliseconds;
        var rows = groups.ToArray();
        foreach (var g in rows)
        {
            if (!string.Equals(g.View.DefinitionHash, view.DefinitionHash, StringComparison.Ordinal))
            {
                throw new ArgumentException($"a group of view '{g.View.Name}' ({g.View.DefinitionHash}) cannot be written to view '{view.Name}' ({view.DefinitionHash})", nameof(groups));
            }

            if (g.BucketStartMilliseconds < dayStart || g.BucketStartMilliseconds >= dayEnd)
            {
                throw new ArgumentException($"view '{view.Name}': group {g.KeyToString()} is not on day {day:yyyy-MM-dd}", nameof(groups));
            }
        }

        Array.Sort(rows, ViewGroup.KeyComparer);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                await using (var writer = await ParquetWriter.CreateAsync(schema.Schema, stream, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    writer.CustomMetadata = new Dictionary<string, string>
                    {
                        [BatchViewSchema.FormatKey] = BatchViewSchema.FormatValue,
                        [BatchViewSchema.ViewKey] = view.Name,
                        [BatchViewSchema.HashKey] = view.DefinitionHash,
                        [BatchViewSchema.CanonicalFormKey] = view.CanonicalForm,
                        [BatchViewSchema.RunIdKey] = runId,
                        [BatchViewSchema.DayKey] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    };
                    using var rowGroup = writer.CreateRowGroup();
                    await WriteColumnsAsync(rowGroup, schema, rows, cancellationToken).ConfigureAwait(false);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return rows.Length;
    }

    private static async Task WriteColumnsAsync(ParquetRowGroupWriter rowGroup, BatchViewSchema schema, ViewGroup[] rows, CancellationToken cancellationToken)
    {
        var view = schema.View;
        var n = rows.Length;
        var buckets = new DateTime[n];
        for (var i = 0; i < n; i++)
        {
            buckets[i] = ParquetColumns.ToDateTime(rows[i].BucketStartMilliseconds);
        }

        await rowGroup.WriteAsync<DateTime>(schema.Bucket, buckets, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var d = 0; d < view.Dimensions.Count; d++)
        {
            var values = new FieldValue[n];
            for (var i = 0; i < n; i++)
            {
                values[i] = rows[i].Dimensions[d];
            }

            await FieldValueColumns.WriteAsync(rowGroup, schema.Dimensions[d], view.Dimensions[d].Type, values, cancellationToken).ConfigureAwait(false);
        }

        for (var m = 0; m < view.Measures.Count; m++)
        {
            var states = new byte[n][];
            for (var i = 0; i < n; i++)
            {
                states[i] = rows[i].States[m].ToBytes();
            }

            await rowGroup.WriteAsync(schema.States[m], states).ConfigureAwait(false);
        }

        for (var m = 0; m < view.Measures.Count; m++)
        {
            await WriteFinalValuesAsync(rowGroup, schema, m, rows, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteFinalValuesAsync(ParquetRowGroupWriter rowGroup, BatchViewSchema schema, int m, ViewGroup[] rows, CancellationToken cancellationToken)
    {
        var measure = schema.View.Measures[m];
        var field = schema.Values[m];
        var n = rows.Length;
        switch (measure.ResultKind)
        {
            case MeasureValueKind.Long:
                var longs = new long?[n];
                for (var i = 0; i < n; i++)
                {
                    longs[i] = Final(rows[i], m) is { IsNull: false } v ? v.AsLong() : null;
                }

                await rowGroup.WriteAsync<long>(field, longs, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case MeasureValueKind.Double:
                var doubles = new double?[n];
                for (var i = 0; i < n; i++)
                {
                    doubles[i] = Final(rows[i], m) is { IsNull: false } v ? v.AsDouble() : null;
                }

                await rowGroup.WriteAsync<double>(field, doubles, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case MeasureValueKind.Decimal:
                var decimals = new decimal?[n];
                for (var i = 0; i < n; i++)
                {
                    decimals[i] = Final(rows[i], m) is { IsNull: false } v ? v.AsDecimal() : null;
                }

                await rowGroup.WriteAsync<decimal>(field, decimals, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case MeasureValueKind.Timestamp:
                var times = new DateTime?[n];
                for (var i = 0; i < n; i++)
                {
                    times[i] = Final(rows[i], m) is { IsNull: false } v ? ParquetColumns.ToDateTime(v.AsTimestamp().ToUnixTimeMilliseconds()) : null;
                }

                await rowGroup.WriteAsync<DateTime>(field, times, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case MeasureValueKind.Quantiles:
                var texts = new string?[n];
                for (var i = 0; i < n; i++)
                {
                    texts[i] = Final(rows[i], m) is { IsNull: false } v ? ToJson(v) : null;
                }

                await rowGroup.WriteAsync(field, texts).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException($"measure '{measure.Name}' has no final value type");
        }
    }

    private static string ToJson(MeasureValue value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            value.WriteTo(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The finalised value is a convenience copy; a sum beyond what the column type holds is left null
    // (the state next to it stays exact).
    private static MeasureValue Final(ViewGroup group, int measure)
    {
        try
        {
            return group.GetValue(measure);
        }
        catch (OverflowException)
        {
            return MeasureValue.Null;
        }
    }
}
