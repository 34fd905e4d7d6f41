using Lambda.ServingLayer.Querying;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.Benchmarks.Serving;

/// <summary>Speed deltas held in memory, one group per (flush, bucket, country) as a speed table holds them.</summary>
internal sealed class PrebuiltSpeedStore(IReadOnlyList<ViewGroup> deltas) : ISpeedViewReader
{
    private static readonly IReadOnlyDictionary<int, long> Next = new Dictionary<int, long> { [0] = 2_000_000 };

    /// <summary>The stored minute groups as they are (finer than asked for is allowed: the engine rolls up).</summary>
    public Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> from, Granularity granularity, CancellationToken cancellationToken) =>
        Task.FromResult(new SpeedViewRead(deltas.Where(selection.Matches).ToArray(), Next));
}
