using Lambda.ServingLayer.Querying;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;

namespace Lambda.Benchmarks.Serving;

/// <summary>Speed deltas held in memory, one group per (flush, bucket, country) as a speed table holds them.</summary>
internal sealed class PrebuiltSpeedStore(IReadOnlyList<ViewGroup> deltas) : ISpeedViewStore
{
    private static readonly IReadOnlyDictionary<int, long> Next = new Dictionary<int, long> { [0] = 2_000_000 };

    public Task<SpeedViewRead> ReadAsync(ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> from, CancellationToken cancellationToken) =>
        Task.FromResult(new SpeedViewRead(deltas.Where(d => selection.Range.Contains(d.BucketStartMilliseconds)).ToArray(), Next));
}
