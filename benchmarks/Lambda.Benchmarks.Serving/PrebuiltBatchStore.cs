using System.Runtime.CompilerServices;
using Lambda.ServingLayer.Querying;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.Benchmarks.Serving;

/// <summary>A published batch view held in memory (the cost measured is the merge, not Parquet reading).</summary>
internal sealed class PrebuiltBatchStore(ViewDefinition view, IReadOnlyList<ViewGroup> groups) : IBatchViewStore, IBatchViewSnapshot
{
    private readonly ViewWatermark _watermark = new("bench-run", null, view.DefinitionHash, new Dictionary<int, long> { [0] = 1_000_000 }, ViewWatermark.NoOffsets);

    public IReadOnlyDictionary<string, ViewWatermark> Views => new Dictionary<string, ViewWatermark> { [view.Name] = _watermark };

    public Task<IBatchViewSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken) => Task.FromResult<IBatchViewSnapshot>(this);

    public ViewWatermark? GetWatermark(ViewDefinition view) => _watermark;

    /// <summary>The stored groups as they are (finer than asked for is allowed: the engine rolls up).</summary>
    public async IAsyncEnumerable<ViewGroup> ReadGroupsAsync(
        ViewDefinition view, ViewSelection selection, Granularity granularity, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var group in groups)
        {
            if (selection.Matches(group))
            {
                yield return group;
            }
        }
    }
}
