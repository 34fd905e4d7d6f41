using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.BatchLayer.Dataset;

/// <summary>
/// Rows of one future master-dataset file, held column by column in the types Parquet.Net writes
/// (strings, longs, doubles, decimals, bools, UTC <see cref="DateTime"/>s). Not thread-safe.
/// </summary>
public sealed class MasterRowBuffer
{
    private readonly FieldType[] _types;
    private readonly bool[] _optional;
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
        _optional = source.Fields.Select(f => f.IsOptional).ToArray();
        _columns = _types.Select((t, f) => CreateColumn(t, _optional[f], initialCapacity)).ToArray();
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
            if (_optional[f])
            {
                SetOptional(f, i, record);
                continue;
            }

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

    /// <summary>Copies an optional field into its nullable column: null when the record leaves it unset.</summary>
    private void SetOptional(int f, int i, EventRecord record)
    {
        var set = record.IsSet(f);
        switch (_types[f].Kind)
        {
            case FieldKind.String:
                ((string?[])_columns[f])[i] = set ? record.GetString(f) : null;
                break;
            case FieldKind.Long:
                ((long?[])_columns[f])[i] = set ? record.GetLong(f) : null;
                break;
            case FieldKind.Double:
                ((double?[])_columns[f])[i] = set ? record.GetDouble(f) : null;
                break;
            case FieldKind.Decimal:
                ((decimal?[])_columns[f])[i] = set ? DecimalScaling.FromUnscaled(record.GetDecimalUnscaled(f), _types[f].Scale) : null;
                break;
            case FieldKind.Bool:
                ((bool?[])_columns[f])[i] = set ? record.GetBool(f) : null;
                break;
            case FieldKind.Timestamp:
                ((DateTime?[])_columns[f])[i] = set ? ParquetColumns.ToDateTime(record.GetTimestampMilliseconds(f)) : null;
                break;
        }
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

    /// <summary>
    /// Sorts the rows by event time, then Kafka offset: the order of a flush file and of a day file, so that their row
    /// groups cover disjoint time ranges and readers prune them by their statistics.
    /// </summary>
    public void SortByEventTime()
    {
        var times = _eventTimes;
        var offsets = _offsets;
        Reorder((a, b) =>
        {
            var byTime = times[a].Ticks.CompareTo(times[b].Ticks);
            return byTime != 0 ? byTime : offsets[a].CompareTo(offsets[b]);
        });
    }

    /// <summary>
    /// Splits the rows (sorted by event time) into runs of one UTC day each: the start index of every run,
    /// ascending, the first being 0.
    /// </summary>
    public IReadOnlyList<int> DayStarts()
    {
        var starts = new List<int>();
        var day = long.MinValue;
        for (var i = 0; i < Count; i++)
        {
            var current = TimeBucket.Floor(ParquetColumns.ToEpochMilliseconds(_eventTimes[i]), Granularity.Day);
            if (current < day)
            {
                throw new InvalidOperationException("the rows are not sorted by event time");
            }

            if (current != day)
            {
                starts.Add(i);
                day = current;
            }
        }

        return starts;
    }

    internal Array GetColumn(int ordinal) => _columns[ordinal];

    internal DateTime[] EventTimes => _eventTimes;

    internal int[] Partitions => _partitions;

    internal long[] Offsets => _offsets;

    private void Reorder(Comparison<int> comparison)
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Introsort is not stable, so the comparison breaks every tie itself (offsets are unique in a partition).
        Array.Sort(order, comparison);
        for (var f = 0; f < _columns.Length; f++)
        {
            _columns[f] = _columns[f] switch
            {
                string[] a => Gather(a, order),
                long[] a => Gather(a, order),
                double[] a => Gather(a, order),
                decimal[] a => Gather(a, order),
                bool[] a => Gather(a, order),
                DateTime[] a => Gather(a, order),
                long?[] a => Gather(a, order),
                double?[] a => Gather(a, order),
                decimal?[] a => Gather(a, order),
                bool?[] a => Gather(a, order),
                DateTime?[] a => Gather(a, order),
                var other => throw new InvalidOperationException($"unknown column type {other.GetType()}"),
            };
        }

        _eventTimes = Gather(_eventTimes, order);
        _partitions = Gather(_partitions, order);
        _offsets = Gather(_offsets, order);
    }

    private static T[] Gather<T>(T[] source, int[] order)
    {
        var target = new T[source.Length];
        for (var i = 0; i < order.Length; i++)
        {
            target[i] = source[order[i]];
        }

        return target;
    }

    private static Array CreateColumn(FieldType type, bool optional, int capacity) => !optional ? CreateColumn(type, capacity) : type.Kind switch
    {
        FieldKind.String => new string?[capacity],
        FieldKind.Long => new long?[capacity],
        FieldKind.Double => new double?[capacity],
        FieldKind.Decimal => new decimal?[capacity],
        FieldKind.Bool => new bool?[capacity],
        FieldKind.Timestamp => new DateTime?[capacity],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown field type"),
    };

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
            var grown = CreateColumn(_types[f], _optional[f], capacity);
            Array.Copy(_columns[f], grown, Count);
            _columns[f] = grown;
        }

        Array.Resize(ref _eventTimes, capacity);
        Array.Resize(ref _partitions, capacity);
        Array.Resize(ref _offsets, capacity);
    }
}
