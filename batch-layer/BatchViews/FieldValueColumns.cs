using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Parquet;
using Parquet.Schema;

namespace Lambda.BatchLayer.BatchViews;

/// <summary>
/// Writes typed values to a Parquet column as <see cref="ParquetColumns"/> maps them, the write half of the mapping
/// whose read half (<see cref="ParquetColumns.ReadValuesAsync"/>) every layer shares: only the batch layer writes batch views.
/// </summary>
internal static class FieldValueColumns
{
    /// <summary>Writes a column of typed values (all of <paramref name="type"/>) to a row group.</summary>
    public static async Task WriteAsync(ParquetRowGroupWriter writer, DataField field, FieldType type, IReadOnlyList<FieldValue> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        var n = values.Count;
        if (field.IsNullable)
        {
            await WriteNullableAsync(writer, field, type, values, cancellationToken).ConfigureAwait(false);
            return;
        }

        switch (type.Kind)
        {
            case FieldKind.String:
                var strings = new string[n];
                for (var i = 0; i < n; i++)
                {
                    strings[i] = values[i].AsString();
                }

                await writer.WriteAsync(field, strings).ConfigureAwait(false);
                break;
            case FieldKind.Long:
                await writer.WriteAsync<long>(field, Map(values, v => v.AsLong()), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Double:
                await writer.WriteAsync<double>(field, Map(values, v => v.AsDouble()), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Decimal:
                await writer.WriteAsync<decimal>(field, Map(values, v => v.AsDecimal()), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Bool:
                await writer.WriteAsync<bool>(field, Map(values, v => v.AsBool()), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Timestamp:
                await writer.WriteAsync<DateTime>(field, Map(values, v => ParquetColumns.ToDateTime(v.RawBits)), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type");
        }
    }

    /// <summary>A column that may hold nulls (a derived dimension's): <see cref="FieldValue.IsNull"/> values are written as Parquet nulls.</summary>
    private static async Task WriteNullableAsync(ParquetRowGroupWriter writer, DataField field, FieldType type, IReadOnlyList<FieldValue> values, CancellationToken cancellationToken)
    {
        switch (type.Kind)
        {
            case FieldKind.String:
                await writer.WriteAsync(field, values.Select(v => v.IsNull ? null! : v.AsString()).ToArray()).ConfigureAwait(false);
                break;
            case FieldKind.Long:
                await writer.WriteAsync<long>(field, MapNullable(values, v => v.AsLong()), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Double:
                await writer.WriteAsync<double>(field, MapNullable(values, v => v.AsDouble()), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Decimal:
                await writer.WriteAsync<decimal>(field, MapNullable(values, v => v.AsDecimal()), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Bool:
                await writer.WriteAsync<bool>(field, MapNullable(values, v => v.AsBool()), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Timestamp:
                await writer.WriteAsync<DateTime>(field, MapNullable(values, v => ParquetColumns.ToDateTime(v.RawBits)), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type");
        }
    }

    private static ReadOnlyMemory<T?> MapNullable<T>(IReadOnlyList<FieldValue> values, Func<FieldValue, T> convert)
        where T : struct
    {
        var result = new T?[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = values[i].IsNull ? null : convert(values[i]);
        }

        return result;
    }

    private static T[] Map<T>(IReadOnlyList<FieldValue> values, Func<FieldValue, T> convert)
    {
        var result = new T[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = convert(values[i]);
        }

        return result;
    }
}
