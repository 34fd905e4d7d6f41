using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>In-memory flush boundaries per view and partition, for tests of the engine's logic without ClickHouse.</summary>
internal sealed class FixedFlushBoundaries : IFlushBoundarySource
{
    private readonly Dictionary<string, Dictionary<int, SortedSet<long>>> _boundaries = new(StringComparer.Ordinal);

    public int Calls { get; private set; }

    public void Add(string view, int partition, params long[] boundaries)
    {
        if (!_boundaries.TryGetValue(view, out var partitions))
        {
            _boundaries[view] = partitions = [];
        }

        if (!partitions.TryGetValue(partition, out var set))
        {
            partitions[partition] = set = [];
        }

        set.UnionWith(boundaries);
    }

    /// <summary>Boundaries every <paramref name="step"/> offsets up to and including <paramref name="end"/> for every partition.</summary>
    public void AddEvery(string view, IReadOnlyDictionary<int, long> ends, long step)
    {
        foreach (var (partition, end) in ends)
        {
            var boundaries = new List<long>();
            for (var b = step; b < end; b += step)
            {
                boundaries.Add(b);
            }

            boundaries.Add(end);
            Add(view, partition, [.. boundaries]);
        }
    }

    public Task<IReadOnlyDictionary<int, long>> GetHighestBoundariesAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken)
    {
        Calls++;
        var result = new Dictionary<int, long>();
        if (_boundaries.TryGetValue(view.Name, out var partitions))
        {
            foreach (var (partition, limit) in limits)
            {
                if (partitions.TryGetValue(partition, out var set) && set.GetViewBetween(long.MinValue, limit) is { Count: > 0 } below)
                {
                    result[partition] = below.Max;
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<int, long>>(result);
    }
}
