using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.BatchLayer.Dataset;

/// <summary>
/// Valid events of one Kafka partition waiting to be committed, grouped by their event hour (UTC): each
/// hour becomes one data file. Not thread-safe.
/// </summary>
public sealed class MasterPartitionBatch
{
    private readonly SortedDictionary<long, MasterRowBuffer> _hours = [];

    /// <summary>Creates an empty batch of <paramref name="partition"/> of <paramref name="source"/>.</summary>
    public MasterPartitionBatch(SourceDefinition source, int partition)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        Source = source;
        Partition = partition;
    }

    /// <summary>The source.</summary>
    public SourceDefinition Source { get; }

    /// <summary>The Kafka partition.</summary>
    public int Partition { get; }

    /// <summary>Events held.</summary>
    public long Rows { get; private set; }

    /// <summary>The rows by the start (UTC epoch ms) of their event hour, ascending.</summary>
    public IReadOnlyDictionary<long, MasterRowBuffer> Hours => _hours;

    /// <summary>Adds a complete event read at <paramref name="offset"/> of the partition.</summary>
    public void Add(EventRecord record, long offset)
    {
        ArgumentNullException.ThrowIfNull(record);
        var hour = TimeBucket.Floor(record.TimestampMilliseconds, Granularity.Hour);
        if (!_hours.TryGetValue(hour, out var buffer))
        {
            buffer = new MasterRowBuffer(Source);
            _hours.Add(hour, buffer);
        }

        buffer.Append(record, Partition, offset);
        Rows++;
    }

    /// <summary>Empties the batch.</summary>
    public void Clear()
    {
        _hours.Clear();
        Rows = 0;
    }
}
