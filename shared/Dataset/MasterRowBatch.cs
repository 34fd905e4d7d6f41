using System.Text;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Parquet;
using Parquet.Schema;

namespace Lambda.Shared.Dataset;

/// <summary>
/// Reusable column buffers for one row group of a master-dataset file: the event times, Kafka partitions
/// and offsets, and the selected source fields (reading only the columns a computation needs is what
/// makes a recompute fast). <see cref="Fill"/> loads one row into an <see cref="EventRecord"/>. Not
/// thread-safe: one batch per reading thread.
/// </summary>
public sealed class MasterRowBatch
{
    private readonly FieldDefinition[] _fields;
    private readonly object?[] _raw;
    private readonly long[]?[] _exact;
    private readonly bool[]?[] _nulls;
    private long[] _eventTimes = [];
    private DateTime[] _timeBuffer = [];
    private int[] _partitions = [];
    private long[] _offsets = [];
    private bool _positionsLoaded;
    private byte[] _utf8 = new byte[256];

    /// <summary>Creates buffers for the source of <paramref name="schema"/>.</summary>
    /// <param name="schema">The source's file schema.</param>
    /// <param name="fields">The fields to read; null reads every field. Unread fields stay unset in filled records.</param>
    public MasterRowBatch(MasterFileSchema schema, IEnumerable<FieldDefinition>? fields = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _fields = (fields ?? schema.Source.Fields).Distinct().OrderBy(f => f.Ordinal).ToArray();
        foreach (var field in _fields)
        {
            if (field.Ordinal >= schema.Source.Fields.Count || !ReferenceEquals(schema.Source.Fields[field.Ordinal], field))
            {
                throw new ArgumentException($"field '{field.Name}' is not a field of source '{schema.Source.Name}'", nameof(fields));
            }
        }

        _raw = new object?[_fields.Length];
        _exact = new long[]?[_fields.Length];
        _nulls = new bool[]?[_fields.Length];
    }

    /// <summary>The file schema.</summary>
    public MasterFileSchema Schema { get; }

    /// <summary>The fields read, in ordinal order.</summary>
    public IReadOnlyList<FieldDefinition> Fields => _fields;

    /// <summary>Rows loaded.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Whether the next loads read the <c>kafka_partition</c> and <c>kafka_offset</c> columns. Default true;
    /// a reader that knows every row qualifies (a file wholly below a watermark, with its partition known from
    /// the commit log) turns it off to skip decoding them.
    /// </summary>
    public bool LoadPositions { get; set; } = true;

    /// <summary>The rows' event times, UTC epoch ms.</summary>
    public ReadOnlySpan<long> EventTimes => _eventTimes.AsSpan(0, Count);

    /// <summary>The rows' Kafka partitions.</summary>
    /// <exception cref="InvalidOperationException">The last load skipped positions (<see cref="LoadPositions"/>).</exception>
    public ReadOnlySpan<int> Partitions => _positionsLoaded ? _partitions.AsSpan(0, Count) : throw PositionsNotLoaded();

    /// <summary>The rows' Kafka offsets.</summary>
    /// <exception cref="InvalidOperationException">The last load skipped positions (<see cref="LoadPositions"/>).</exception>
    public ReadOnlySpan<long> Offsets => _positionsLoaded ? _offsets.AsSpan(0, Count) : throw PositionsNotLoaded();

    /// <summary>Resets <paramref name="record"/> and sets the event time and the selected fields of row <paramref name="row"/>.</summary>
    public void Fill(int row, EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if ((uint)row >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"the batch holds {Count} rows");
        }

        record.Reset();
        record.SetTimestamp(_eventTimes[row]);
        for (var i = 0; i < _fields.Length; i++)
        {
            var ordinal = _fields[i].Ordinal;
            if (_nulls[i] is { } nulls && nulls[row])
            {
                // Null in the file, or a file written before the field existed: the default, else no value.
                if (_fields[i].Default is { } value)
                {
                    record.SetValue(ordinal, value);
                }

                continue;
            }

            switch (_fields[i].Type.Kind)
            {
                case FieldKind.String:
                    var chars = ((ReadOnlyMemory<char>[])_raw[i]!)[row].Span;
                    var needed = Encoding.UTF8.GetMaxByteCount(chars.Length);
                    if (_utf8.Length < needed)
                    {
                        _utf8 = new byte[Math.Max(needed, _utf8.Length * 2)];
                    }

                    record.SetStringUtf8(ordinal, _utf8.AsSpan(0, Encoding.UTF8.GetBytes(chars, _utf8)));
                    break;
                case FieldKind.Long:
                    record.SetLong(ordinal, ((long[])_raw[i]!)[row]);
                    break;
                case FieldKind.Double:
                    record.SetDouble(ordinal, ((double[])_raw[i]!)[row]);
                    break;
                case FieldKind.Decimal:
                    record.SetDecimalUnscaled(ordinal, _exact[i]![row]);
                    break;
                case FieldKind.Bool:
                    record.SetBool(ordinal, ((bool[])_raw[i]!)[row]);
                    break;
                case FieldKind.Timestamp:
                    record.SetTimestamp(ordinal, _exact[i]![row]);
                    break;
            }
        }
    }

    /// <summary>Loads one row group; <paramref name="fileFields"/> are the file's columns by name.</summary>
    internal async Task LoadAsync(ParquetRowGroupReader rowGroup, IReadOnlyDictionary<string, DataField> fileFields, string path, CancellationToken cancellationToken)
    {
        var n = checked((int)rowGroup.RowCount);
        EnsureCapacity(n);
        Count = 0;
        _positionsLoaded = false;
        await rowGroup.ReadAsync<DateTime>(Column(fileFields, MasterFileSchema.EventTimeColumn, path), _timeBuffer.AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
        ToEpochMilliseconds(_timeBuffer, _eventTimes, n);
        if (LoadPositions)
        {
            await rowGroup.ReadAsync<int>(Column(fileFields, MasterFileSchema.PartitionColumn, path), _partitions.AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.ReadAsync<long>(Column(fileFields, MasterFileSchema.OffsetColumn, path), _offsets.AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
            _positionsLoaded = true;
        }
        for (var i = 0; i < _fields.Length; i++)
        {
            var field = _fields[i];
            _nulls[i] = null;
            if (!fileFields.TryGetValue(field.Name, out var column))
            {
                if (!field.IsOptional)
                {
                    throw new InvalidDataException($"master-dataset file '{path}' has no column '{field.Name}'");
                }

                MarkAllNull(i, n);
                continue;
            }

            if (column.IsNullable)
            {
                await LoadNullableAsync(rowGroup, column, i, n, path, cancellationToken).ConfigureAwait(false);
                continue;
            }

            switch (field.Type.Kind)
            {
                case FieldKind.String:
                    // As character memory, not strings: values of a dictionary-encoded column then share their
                    // dictionary entry's buffer instead of each becoming a new string.
                    await rowGroup.ReadAsync<ReadOnlyMemory<char>>(column, ((ReadOnlyMemory<char>[])_raw[i]!).AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
                    break;
                case FieldKind.Long:
                    await rowGroup.ReadAsync<long>(column, ((long[])_raw[i]!).AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
                    break;
                case FieldKind.Double:
                    await rowGroup.ReadAsync<double>(column, ((double[])_raw[i]!).AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
                    break;
                case FieldKind.Decimal:
                    var decimals = (decimal[])_raw[i]!;
                    await rowGroup.ReadAsync<decimal>(column, decimals.AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
                    ToUnscaled(decimals, _exact[i]!, n, field, path);
                    break;
                case FieldKind.Bool:
                    await rowGroup.ReadAsync<bool>(column, ((bool[])_raw[i]!).AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
                    break;
                case FieldKind.Timestamp:
                    var times = (DateTime[])_raw[i]!;
                    await rowGroup.ReadAsync<DateTime>(column, times.AsMemory(0, n), cancellationToken: cancellationToken).ConfigureAwait(false);
                    ToEpochMilliseconds(times, _exact[i]!, n);
                    break;
            }
        }

        Count = n;
    }

    private void MarkAllNull(int i, int n)
    {
        var nulls = new bool[_eventTimes.Length];
        Array.Fill(nulls, true, 0, n);
        _nulls[i] = nulls;
    }

    /// <summary>Reads a nullable column (an optional field's) into the field's buffers plus its null mask.</summary>
    private async Task LoadNullableAsync(ParquetRowGroupReader rowGroup, DataField column, int i, int n, string path, CancellationToken cancellationToken)
    {
        var field = _fields[i];
        var nulls = new bool[_eventTimes.Length];
        switch (field.Type.Kind)
        {
            case FieldKind.String:
                var strings = new string?[n];
                await rowGroup.ReadAsync(column, strings.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                var chars = (ReadOnlyMemory<char>[])_raw[i]!;
                for (var r = 0; r < n; r++)
                {
                    nulls[r] = strings[r] is null;
                    chars[r] = strings[r].AsMemory();
                }

                break;
            case FieldKind.Long:
                await ReadNullableAsync(rowGroup, column, (long[])_raw[i]!, nulls, n, cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Double:
                await ReadNullableAsync(rowGroup, column, (double[])_raw[i]!, nulls, n, cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Decimal:
                var decimals = (decimal[])_raw[i]!;
                await ReadNullableAsync(rowGroup, column, decimals, nulls, n, cancellationToken).ConfigureAwait(false);
                ToUnscaled(decimals, _exact[i]!, n, field, path);
                break;
            case FieldKind.Bool:
                await ReadNullableAsync(rowGroup, column, (bool[])_raw[i]!, nulls, n, cancellationToken).ConfigureAwait(false);
                break;
            case FieldKind.Timestamp:
                var times = (DateTime[])_raw[i]!;
                await ReadNullableAsync(rowGroup, column, times, nulls, n, cancellationToken).ConfigureAwait(false);
                ToEpochMilliseconds(times, _exact[i]!, n);
                break;
        }

        if (!field.IsOptional && Array.IndexOf(nulls, true, 0, n) >= 0)
        {
            throw new InvalidDataException($"master-dataset file '{path}' holds nulls in column '{field.Name}', which the catalog declares required");
        }

        _nulls[i] = nulls;
    }

    private static async Task ReadNullableAsync<T>(ParquetRowGroupReader rowGroup, DataField column, T[] target, bool[] nulls, int n, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new T?[n];
        await rowGroup.ReadAsync<T>(column, values.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var r = 0; r < n; r++)
        {
            nulls[r] = !values[r].HasValue;
            target[r] = values[r].GetValueOrDefault();
        }
    }

    private static InvalidOperationException PositionsNotLoaded() =>
        new("the Kafka partitions and offsets were not loaded (LoadPositions was false)");

    private static DataField Column(IReadOnlyDictionary<string, DataField> fileFields, string name, string path) =>
        fileFields.TryGetValue(name, out var field) ? field : throw new InvalidDataException($"master-dataset file '{path}' has no column '{name}'");

    private static void ToEpochMilliseconds(DateTime[] source, long[] target, int n)
    {
        for (var i = 0; i < n; i++)
        {
            target[i] = ParquetColumns.ToEpochMilliseconds(source[i]);
        }
    }

    private static void ToUnscaled(decimal[] source, long[] target, int n, FieldDefinition field, string path)
    {
        var scale = field.Type.Scale;
        Span<int> bits = stackalloc int[4];
        for (var i = 0; i < n; i++)
        {
            var value = source[i];
            decimal.GetBits(value, bits);
            // Fast path: the reader returns decimals at the column's scale; the mantissa is then the unscaled value.
            if (((bits[3] >> 16) & 0xFF) == scale && bits[2] == 0 && bits[1] >= 0)
            {
                var magnitude = ((long)bits[1] << 32) | (uint)bits[0];
                target[i] = bits[3] < 0 ? -magnitude : magnitude;
            }
            else if (!Lambda.Shared.Measures.DecimalScaling.TryToUnscaled(value, scale, out target[i]))
            {
                throw new InvalidDataException($"master-dataset file '{path}': {field.Name} = {value} does not fit {field.Type}");
            }
        }
    }

    private void EnsureCapacity(int n)
    {
        if (_eventTimes.Length >= n)
        {
            return;
        }

        var capacity = Math.Max(n, _eventTimes.Length * 2);
        _eventTimes = new long[capacity];
        _timeBuffer = new DateTime[capacity];
        _partitions = new int[capacity];
        _offsets = new long[capacity];
        for (var i = 0; i < _fields.Length; i++)
        {
            var kind = _fields[i].Type.Kind;
            _raw[i] = kind switch
            {
                FieldKind.String => new ReadOnlyMemory<char>[capacity],
                FieldKind.Long => new long[capacity],
                FieldKind.Double => new double[capacity],
                FieldKind.Decimal => new decimal[capacity],
                FieldKind.Bool => new bool[capacity],
                FieldKind.Timestamp => new DateTime[capacity],
                _ => throw new InvalidOperationException($"unknown field type {_fields[i].Type}"),
            };
            _exact[i] = kind is FieldKind.Decimal or FieldKind.Timestamp ? new long[capacity] : null;
        }
    }
}
