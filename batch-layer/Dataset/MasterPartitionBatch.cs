using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.BatchLayer.Dataset;

/// <summary>
/// Valid events of one Kafka partition waiting to be committed, in offset order. They become one flush file,
/// however scattered their event times are. Not thread-safe.
/// </summary>
public sealed class MasterPartitionBatch
{
    /// <summary>Creates an empty batch of <paramref name="partition"/> of <paramref name="source"/>.</summary>
    public MasterPartitionBatch(SourceDefinition source, int partition)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        Source = source;
        Partition = partition;
        Buffer = new MasterRowBuffer(source);
    }

    /// <summary>The source.</summary>
    public SourceDefinition Source { get; }

    /// <summary>The Kafka partition.</summary>
    public int Partition { get; }

    /// <summary>Events held.</summary>
    public long Rows => Buffer.Count;

    /// <summary>The rows (the writer sorts them by event time when it commits them).</summary>
    public MasterRowBuffer Buffer { get; }

    /// <summary>Adds a complete event read at <paramref name="offset"/> of the partition.</summary>
    public void Add(EventRecord record, long offset)
    {
        ArgumentNullException.ThrowIfNull(record);
        Buffer.Append(record, Partition, offset);
    }

    /// <summary>Empties the batch.</summary>
    public void Clear() => Buffer.Clear();
}
