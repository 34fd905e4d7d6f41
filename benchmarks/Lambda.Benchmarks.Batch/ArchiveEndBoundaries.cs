using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Catalog;

namespace Lambda.Benchmarks.Batch;

/// <summary>Pretends the speed layer flushed exactly at the archive's end of every partition, so a run takes every archived event.</summary>
internal sealed class ArchiveEndBoundaries : IFlushBoundarySource
{
    public Task<IReadOnlyDictionary<int, long>> GetHighestBoundariesAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, long>>(limits.Where(l => l.Value > 0).ToDictionary());
}
