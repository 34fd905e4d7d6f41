using System.Runtime.CompilerServices;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The batch side of a Kappa deployment (<c>Lambda:Mode = kappa</c>): no batch view and no watermark, so every answer is
/// the speed deltas alone (the speed layer built them by replaying the master dataset), whatever a manifest left by an
/// earlier Lambda period says.
/// </summary>
public sealed class SpeedOnlyBatchViewStore : IBatchViewStore
{
    private static readonly IBatchViewSnapshot Nothing = new EmptySnapshot();

    /// <inheritdoc/>
    public Task<IBatchViewSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken) => Task.FromResult(Nothing);

    private sealed class EmptySnapshot : IBatchViewSnapshot
    {
        public IReadOnlyDictionary<string, ViewWatermark> Views { get; } = new Dictionary<string, ViewWatermark>(StringComparer.Ordinal);

        public ViewWatermark? GetWatermark(ViewDefinition view) => null;

        public async IAsyncEnumerable<ViewGroup> ReadGroupsAsync(
            ViewDefinition view, ViewSelection selection, Granularity granularity, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask.ConfigureAwait(false);
            yield break;
        }
    }
}
