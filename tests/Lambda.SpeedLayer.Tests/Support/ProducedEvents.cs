using System.Collections.Concurrent;
using Lambda.Shared.Catalog;
using Lambda.Testing.Oracles;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// What a test produced: every message's partition and offset, the malformed ones, and per view the oracle of the
/// valid ones, computed from the raw JSON by the test (<see cref="JsonViewOracle"/>, filters from <see cref="TestCatalog.Where"/>).
/// </summary>
internal sealed class ProducedEvents(IEnumerable<ViewDefinition> views)
{
    public IReadOnlyDictionary<string, JsonViewOracle> Oracles { get; } =
        views.ToDictionary(v => v.Name, v => new JsonViewOracle(v, TestCatalog.Where(v.Name)), StringComparer.Ordinal);

    /// <summary>Valid events added to the oracles.</summary>
    public long Accepted { get; private set; }

    public ConcurrentDictionary<(int Partition, long Offset), GeneratedEvent> Malformed { get; } = new();

    public ConcurrentDictionary<int, long> LastOffsets { get; } = new();

    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Adds a generated event to the oracles, in production order, when the generator made it valid.</summary>
    public void Add(GeneratedEvent generated)
    {
        if (!generated.IsValid)
        {
            return;
        }

        Accepted++;
        foreach (var oracle in Oracles.Values)
        {
            oracle.Add(generated.Value);
        }
    }

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
