using System.Collections.Concurrent;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>What a test produced: every message's partition and offset, the malformed ones, and the oracle of the valid ones.</summary>
internal sealed class ProducedEvents(Oracle oracle)
{
    public Oracle Oracle { get; } = oracle;

    public ConcurrentDictionary<(int Partition, long Offset), GeneratedEvent> Malformed { get; } = new();

    public ConcurrentDictionary<int, long> LastOffsets { get; } = new();

    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Delivered(int partition, long offset, GeneratedEvent generated)
    {
        Interlocked.Increment(ref _count);
        LastOffsets.AddOrUpdate(partition, offset, (_, previous) => Math.Max(previous, offset));
        if (!generated.IsValid)
        {
            Malformed[(partition, offset)] = generated;
        }
    }
}
