using System.Runtime.CompilerServices;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Parquet;
using Parquet.Schema;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// Reads batch-view Parquet files with Parquet.Net in the layout of the design notes: a
/// <c>bucket</c> timestamp column, one column per dimension named after it, and per measure a
/// binary column named after the measure holding its serialised state
/// (<see cref="MeasureState.ToBytes"/>). Other columns (the writer's finalised values) are ignored:
/// finalised values are derived from the states, so they always agree with what the serving layer merges.
/// </summary>
public sealed class ParquetBatchViewSource : IBatchViewSource
{
    /// <summary>The name of the bucket column.</summary>
    public const string BucketColumn = "bucket";

    /// <inheritdoc />
    public async IAsyncEnumerable<BatchViewRow> ReadAsync(
        ViewDefinition view, string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The batch-view file of view '{view.Name}' does not exist: {path}", path);
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using var reader = await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: false, cancellationToken).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);

        var bucketField = Require(fields, BucketColumn, view, path, "the bucket");
        var dimensionFields = view.Dimensions.Select(d => Require(fields, d.Name, view, path, $"dimension '{d.Name}'")).ToArray();
        var measureFields = view.Measures.Select(m => Require(fields, m.Name, view, path, $"measure '{m.Name}'")).ToArray();

        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var buckets = await ReadBucketsAsync(group, bucketField, count, path, cancellationToken).ConfigureAwait(false);
            var dimensions = new FieldValue[dimensionFields.Length][];
            for (var d = 0; d < dimensionFields.Length; d++)
            {
                dimensions[d] = await ReadDimensionAsync(group, dimensionFields[d], view.Dimensions[d].Type, count, path, cancellationToken)
                    .ConfigureAwait(false);
            }

            var states = new byte[measureFields.Length][][];
            for (var m = 0; m < measureFields.Length; m++)
            {
                states[m] = await ReadBytesAsync(group, measureFields[m], count, path, cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < count; i++)
            {
                var rowDimensions = new FieldValue[dimensionFields.Length];
                for (var d = 0; d < rowDimensions.Length; d++)
                {
                    rowDimensions[d] = dimensions[d][i];
                }

                var rowStates = new MeasureState[measureFields.Length];
                for (var m = 0; m < rowStates.Length; m++)
                {
                    try
                    {
                        rowStates[m] = view.Measures[m].ReadState(states[m][i]);
                    }
                    catch (FormatException ex)
                    {
                        throw new InvalidDataException(
                            $"{path}: row {i} of row group {g} holds no valid state of measure '{view.Measures[m].Name}' ({view.Measures[m].Expression}): {ex.Message}", ex);
                    }
                }

                yield return new BatchViewRow(buckets[i], rowDimensions, rowStates);
            }
        }
    }

    private static DataField Require(Dictionary<string, DataField> fields, string name, ViewDefinition view, string path, string what) =>
        fields.TryGetValue(name, out var field)
            ? field
            : throw new InvalidDataException($"{path} is not a file of view '{view.Name}': it has no column '{name}' for {what}.");

    private static async Task<long[]> ReadBucketsAsync(ParquetRowGroupReader group, DataField field, int count, string path, CancellationToken ct)
    {
        var result = new long[count];
        if (field.ClrType == typeof(DateTime))
        {
            var values = await ReadStructsAsync<DateTime>(group, field, count, path, ct).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                result[i] = ToEpochMilliseconds(values[i]);
            }
        }
        else if (field.ClrType == typeof(long))
        {
            var values = await ReadStructsAsync<long>(group, field, count, path, ct).ConfigureAwait(false);
            values.CopyTo(result, 0);
        }
        else
        {
            throw new InvalidDataException($"{path}: column '{field.Name}' is {field.ClrType.Name}; a timestamp (or epoch milliseconds) was expected.");
        }

        return result;
    }

    private static async Task<FieldValue[]> ReadDimensionAsync(
        ParquetRowGroupReader group, DataField field, FieldType type, int count, string path, CancellationToken ct)
    {
        var result = new FieldValue[count];
        var clr = field.ClrType;
        switch (type.Kind)
        {
            case FieldKind.String when clr == typeof(string) || clr == typeof(ReadOnlyMemory<char>):
                var strings = new string?[count];
                await group.ReadAsync(field, strings.AsMemory(), null, ct).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    result[i] = FieldValue.FromString(strings[i] ?? throw NullValue(path, field, i));
                }

                break;
            case FieldKind.Long when clr == typeof(long):
                Map(await ReadStructsAsync<long>(group, field, count, path, ct).ConfigureAwait(false), result, FieldValue.FromLong);
                break;
            case FieldKind.Double when clr == typeof(double):
                Map(await ReadStructsAsync<double>(group, field, count, path, ct).ConfigureAwait(false), result, FieldValue.FromDouble);
                break;
            case FieldKind.Decimal when clr == typeof(decimal):
                Map(await ReadStructsAsync<decimal>(group, field, count, path, ct).ConfigureAwait(false), result, v => FieldValue.FromDecimal(v, type));
                break;
            case FieldKind.Decimal when clr == typeof(long):
                Map(await ReadStructsAsync<long>(group, field, count, path, ct).ConfigureAwait(false), result, v => FieldValue.FromUnscaledDecimal(v, type));
                break;
            case FieldKind.Bool when clr == typeof(bool):
                Map(await ReadStructsAsync<bool>(group, field, count, path, ct).ConfigureAwait(false), result, FieldValue.FromBool);
                break;
            case FieldKind.Timestamp when clr == typeof(DateTime):
                Map(await ReadStructsAsync<DateTime>(group, field, count, path, ct).ConfigureAwait(false), result, v => FieldValue.FromTimestamp(ToEpochMilliseconds(v)));
                break;
            case FieldKind.Timestamp when clr == typeof(long):
                Map(await ReadStructsAsync<long>(group, field, count, path, ct).ConfigureAwait(false), result, FieldValue.FromTimestamp);
                break;
            default:
                throw new InvalidDataException($"{path}: column '{field.Name}' is {clr.Name}, which cannot hold the view's {type} dimension.");
        }

        return result;
    }

    private static async Task<byte[][]> ReadBytesAsync(ParquetRowGroupReader group, DataField field, int count, string path, CancellationToken ct)
    {
        if (field.ClrType != typeof(byte[]) && field.ClrType != typeof(ReadOnlyMemory<byte>))
        {
            throw new InvalidDataException($"{path}: column '{field.Name}' is {field.ClrType.Name}; a binary measure state was expected.");
        }

        var values = new byte[]?[count];
        await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        var result = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            result[i] = values[i] ?? throw NullValue(path, field, i);
        }

        return result;
    }

    private static async Task<T[]> ReadStructsAsync<T>(ParquetRowGroupReader group, DataField field, int count, string path, CancellationToken ct)
        where T : struct
    {
        var values = new T[count];
        if (!field.IsNullable)
        {
            await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
            return values;
        }

        var nullable = new T?[count];
        await group.ReadAsync(field, nullable.AsMemory(), null, ct).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
        {
            values[i] = nullable[i] ?? throw NullValue(path, field, i);
        }

        return values;
    }

    private static void Map<T>(T[] source, FieldValue[] target, Func<T, FieldValue> convert)
    {
        for (var i = 0; i < source.Length; i++)
        {
            target[i] = convert(source[i]);
        }
    }

    private static long ToEpochMilliseconds(DateTime value)
    {
        // Parquet timestamps adjusted to UTC come back as Utc; others are taken as UTC, never local.
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
        return (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
    }

    private static InvalidDataException NullValue(string path, DataField field, int row) =>
        new($"{path}: column '{field.Name}' has a null in row {row}; batch-view columns hold no nulls.");
}
