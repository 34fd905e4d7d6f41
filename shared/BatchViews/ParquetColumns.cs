using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Parquet;
using Parquet.Schema;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// How the platform's typed values map to Parquet columns (Parquet.Net 6.1), shared by the master dataset
/// and the batch views: string → UTF-8 string, long → INT64, double → DOUBLE, decimal(p,s) → DECIMAL(p,s),
/// bool → BOOLEAN, timestamp → TIMESTAMP(MILLIS, UTC). Timestamps are written in milliseconds on purpose:
/// Parquet.Net writes wrong min/max statistics for micro- and nanosecond timestamps, and readers that prune
/// row groups by statistics (DuckDB) then skip rows.
/// </summary>
public static class ParquetColumns
{
    /// <summary>The column for a value of <paramref name="type"/>.</summary>
    public static DataField Create(string name, FieldType type, bool nullable = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return type.Kind switch
        {
            FieldKind.String => new DataField<string>(name, nullable),
            FieldKind.Long => nullable ? new DataField<long?>(name) : new DataField<long>(name, false),
            FieldKind.Double => nullable ? new DataField<double?>(name) : new DataField<double>(name, false),
            FieldKind.Decimal => new DecimalDataField(name, type.Precision, type.Scale, isNullable: nullable),
            FieldKind.Bool => nullable ? new DataField<bool?>(name) : new DataField<bool>(name, false),
            FieldKind.Timestamp => Timestamp(name, nullable),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type"),
        };
    }

    /// <summary>A UTC timestamp column in milliseconds.</summary>
    public static DateTimeDataField Timestamp(string name, bool nullable = false) =>
        new(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: nullable);

    /// <summary>UTC epoch milliseconds as a UTC <see cref="DateTime"/>.</summary>
    public static DateTime ToDateTime(long epochMilliseconds) =>
        new(DateTime.UnixEpoch.Ticks + (epochMilliseconds * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    /// <summary>A <see cref="DateTime"/> read from a UTC timestamp column as UTC epoch milliseconds (sub-millisecond ticks floored).</summary>
    public static long ToEpochMilliseconds(DateTime value)
    {
        var ticks = value.Ticks - DateTime.UnixEpoch.Ticks;
        var ms = ticks / TimeSpan.TicksPerMillisecond;
        return ticks % TimeSpan.TicksPerMillisecond < 0 ? ms - 1 : ms;
    }

    /// <summary>Writes a column of typed values (all of <paramref name="type"/>) to a row group.</summary>
    public static async Task WriteValuesAsync(ParquetRowGroupWriter writer, DataField field, FieldType type, IReadOnlyList<FieldValue> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        var n = values.Count;
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
                await writer.WriteAsync<DateTime>(field, Map(values, v => ToDateTime(v.RawBits)), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type");
        }
    }

    /// <summary>Reads a non-nullable column of <paramref name="type"/> with <paramref name="count"/> values as typed values.</summary>
    public static async Task<FieldValue[]> ReadValuesAsync(ParquetRowGroupReader reader, DataField field, FieldType type, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new FieldValue[count];
        switch (type.Kind)
        {
            case FieldKind.String:
                var strings = new string?[count];
                await reader.ReadAsync(field, strings.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    result[i] = FieldValue.FromString(strings[i] ?? throw new InvalidDataException($"column '{field.Name}' holds a null string"));
                }

                break;
            case FieldKind.Long:
                var longs = new long[count];
                await reader.ReadAsync<long>(field, longs, cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    result[i] = FieldValue.FromLong(longs[i]);
                }

                break;
            case FieldKind.Double:
                var doubles = new double[count];
                await reader.ReadAsync<double>(field, doubles, cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    result[i] = FieldValue.FromDouble(doubles[i]);
                }

                break;
            case FieldKind.Decimal:
                var decimals = new decimal[count];
                await reader.ReadAsync<decimal>(field, decimals, cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    result[i] = FieldValue.FromDecimal(decimals[i], type);
                }

                break;
            case FieldKind.Bool:
                var bools = new bool[count];
                await reader.ReadAsync<bool>(field, bools, cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    result[i] = FieldValue.FromBool(bools[i]);
                }

                break;
            case FieldKind.Timestamp:
                var times = new DateTime[count];
                await reader.ReadAsync<DateTime>(field, times, cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    result[i] = FieldValue.FromTimestamp(ToEpochMilliseconds(times[i]));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type");
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
