using System.Runtime.CompilerServices;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The batch side when no batch view has been published: no watermark, no groups, so every speed delta is
/// served (S_p = 0). Registered as the default <see cref="IBatchViewStore"/> until the adapter over
/// Lambda.Shared's BatchViews manifest reader replaces it.
/// </summary>
public sealed class EmptyBatchViewStore : IBatchViewStore
{
    /// <inheritdoc/>
    public Task<IBatchViewSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IBatchViewSnapshot>(Snapshot.Instance);
    }

    private sealed class Snapshot : IBatchViewSnapshot
    {
        public static Snapshot Instance { get; } = new();

        public IReadOnlyCollection<BatchViewWatermark> Views => [];

        public BatchViewWatermark? GetWatermark(ViewDefinition view) => null;

        public async IAsyncEnumerable<ViewGroup> ReadGroupsAsync(
            ViewDefinition view, ViewSelection selection, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.CompletedTask.ConfigureAwait(false);
            yield break;
        }
    }
}
