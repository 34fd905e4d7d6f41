using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.BatchLayer.Dataset;

/// <summary>
/// Rows of one future master-dataset file, held column by column in the types Parquet.Net writes
/// (strings, longs, doubles, decimals, bools, UTC <see cref="DateTime"/>s). Not thread-safe.
/// </summary>
public sealed class MasterRowBuffer
{
    private readonly FieldType[] _types;
    private readonly Array[] _columns;
    private DateTime[] _eventTimes;
    private int[] _partitions;
    private long[] _offsets;

    /// <summary>Creates an empty buffer for events of <paramref name="source"/>.</summary>
    public MasterRowBuffer(SourceDefinition source, int initialCapacity = 64)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        Source = source;
        _types = source.Fields.Select(f => f.Type).ToArray();
        _columns = _types.Select(t => CreateColumn(t, initialCapacity)).ToArray();
        _eventTimes = new DateTime[initialCapacity];
        _partitions = new int[initialCapacity];
        _offsets = new long[initialCapacity];
        Clear();
    }

    /// <summary>The source.</summary>
    public SourceDefinition Source { get; }

    /// <summary>Number of rows held.</summary>
    public int Count { get; private set; }

    /// <summary>Smallest Kafka offset held (meaningless when empty).</summary>
    public long MinOffset { get; private set; }

    /// <summary>Largest Kafka offset held (meaningless when empty).</summary>
    public long MaxOffset { get; private set; }

    /// <summary>Earliest event time held, UTC epoch ms (meaningless when empty).</summary>
    public long MinEventTime { get; private set; }

    /// <summary>Latest event time held, UTC epoch ms (meaningless when empty).</summary>
    public long MaxEventTime { get; private set; }

    /// <summary>Appends a complete event with its Kafka position.</summary>
    /// <exception cref="ArgumentException">The record belongs to another source or is incomplete.</exception>
    public void Append(EventRecord record, int partition, long offset)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!ReferenceEquals(record.Source, Source))
        {
            throw new ArgumentException($"the record is from source '{record.Source.Name}', the buffer holds '{Source.Name}'", nameof(record));
        }

        if (!record.IsComplete)
        {
            throw new ArgumentException("the record is incomplete: the master dataset keeps only complete, valid events", nameof(record));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (Count == _offsets.Length)
        {
            Grow();
        }

        var i = Count;
        for (var f = 0; f < _types.Length; f++)
        {
            switch (_types[f].Kind)
            {
                case FieldKind.String:
                    ((string[])_columns[f])[i] = record.GetString(f);
                    break;
                case FieldKind.Long:
                    ((long[])_columns[f])[i] = record.GetLong(f);
                    break;
                case FieldKind.Double:
                    ((double[])_columns[f])[i] = record.GetDouble(f);
                    break;
                case FieldKind.Decimal:
                    ((decimal[])_columns[f])[i] = DecimalScaling.FromUnscaled(record.GetDecimalUnscaled(f), _types[f].Scale);
                    break;
                case FieldKind.Bool:
                    ((bool[])_columns[f])[i] = record.GetBool(f);
                    break;
                case FieldKind.Timestamp:
                    ((DateTime[])_columns[f])[i] = ParquetColumns.ToDateTime(record.GetTimestampMilliseconds(f));
                    break;
            }
        }

        var time = record.TimestampMilliseconds;
        _eventTimes[i] = ParquetColumns.ToDateTime(time);
        _partitions[i] = partition;
        _offsets[i] = offset;
        MinOffset = Math.Min(MinOffset, offset);
        MaxOffset = Math.Max(MaxOffset, offset);
        MinEventTime = Math.Min(MinEventTime, time);
        MaxEventTime = Math.Max(MaxEventTime, time);
        Count = i + 1;
    }

    /// <summary>Empties the buffer (keeps its memory).</summary>
    public void Clear()
    {
        for (var f = 0; f < _types.Length; f++)
        {
            if (_types[f].Kind == FieldKind.String)
            {
                Array.Clear(_columns[f], 0, Count);
            }
        }

        Count = 0;
        MinOffset = MinEventTime = long.MaxValue;
        MaxOffset = MaxEventTime = long.MinValue;
    }

    internal Array GetColumn(int ordinal) => _columns[ordinal];

    internal DateTime[] EventTimes => _eventTimes;

    internal int[] Partitions => _partitions;

    internal long[] Offsets => _offsets;

    private static Array CreateColumn(FieldType type, int capacity) => type.Kind switch
    {
        FieldKind.String => new string[capacity],
        FieldKind.Long => new long[capacity],
        FieldKind.Double => new double[capacity],
        FieldKind.Decimal => new decimal[capacity],
        FieldKind.Bool => new bool[capacity],
        FieldKind.Timestamp => new DateTime[capacity],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type"),
    };

    private void Grow()
    {
        var capacity = _offsets.Length * 2;
        for (var f = 0; f < _columns.Length; f++)
        {
            var grown = CreateColumn(_types[f], capacity);
            Array.Copy(_columns[f], grown, Count);
            _columns[f] = grown;
        }

        Array.Resize(ref _eventTimes, capacity);
        Array.Resize(ref _partitions, capacity);
        Array.Resize(ref _offsets, capacity);
    }
}
