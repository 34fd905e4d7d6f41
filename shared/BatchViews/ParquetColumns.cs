using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Parquet;
using Parquet.Schema;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// How the platform's typed values map to Parquet columns (Parquet.Net 6.1), shared by the master dataset
/// and the batch views (written by the batch layer, which also holds the column writer; read here): string → UTF-8 string, long → INT64, double → DOUBLE, decimal(p,s) → DECIMAL(p,s),
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

    /// <summary>
    /// Reads a column of <paramref name="type"/> with <paramref name="count"/> values as typed values; a nullable column's
    /// nulls (a derived dimension's) become <see cref="FieldValue.Null"/>.
    /// </summary>
    public static async Task<FieldValue[]> ReadValuesAsync(ParquetRowGroupReader reader, DataField field, FieldType type, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(field);
        if (field.IsNullable && type.Kind != FieldKind.String)
        {
            return await ReadNullableAsync(reader, field, type, count, cancellationToken).ConfigureAwait(false);
        }

        var result = new FieldValue[count];
        switch (type.Kind)
        {
            case FieldKind.String:
                var strings = new string?[count];
                await reader.ReadAsync(field, strings.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    result[i] = strings[i] is { } text ? FieldValue.FromString(text)
                        : field.IsNullable ? FieldValue.Null(type)
                        : throw new InvalidDataException($"column '{field.Name}' holds a null string");
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

    private static async Task<FieldValue[]> ReadNullableAsync(ParquetRowGroupReader reader, DataField field, FieldType type, int count, CancellationToken cancellationToken)
    {
        var result = new FieldValue[count];
        switch (type.Kind)
        {
            case FieldKind.Long:
                var longs = new long?[count];
                await reader.ReadAsync<long>(field, longs.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                Fill(result, longs, type, FieldValue.FromLong);
                break;
            case FieldKind.Double:
                var doubles = new double?[count];
                await reader.ReadAsync<double>(field, doubles.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                Fill(result, doubles, type, FieldValue.FromDouble);
                break;
            case FieldKind.Decimal:
                var decimals = new decimal?[count];
                await reader.ReadAsync<decimal>(field, decimals.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                Fill(result, decimals, type, d => FieldValue.FromDecimal(d, type));
                break;
            case FieldKind.Bool:
                var bools = new bool?[count];
                await reader.ReadAsync<bool>(field, bools.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                Fill(result, bools, type, FieldValue.FromBool);
                break;
            case FieldKind.Timestamp:
                var times = new DateTime?[count];
                await reader.ReadAsync<DateTime>(field, times.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                Fill(result, times, type, t => FieldValue.FromTimestamp(ToEpochMilliseconds(t)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type");
        }

        return result;
    }

    private static void Fill<T>(FieldValue[] result, T?[] values, FieldType type, Func<T, FieldValue> convert)
        where T : struct
    {
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = values[i] is { } value ? convert(value) : FieldValue.Null(type);
        }
    }
}
