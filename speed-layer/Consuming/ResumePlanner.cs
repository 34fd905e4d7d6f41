using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Pipeline;

namespace Lambda.SpeedLayer.Consuming;

/// <summary>Works out where assigned partitions resume, from the max offsets each view has stored (the group's committed offsets are only advisory).</summary>
internal sealed class ResumePlanner(ISpeedViewStore store)
{
    public async Task<IReadOnlyList<PartitionResume>> PlanAsync(
        string topic, IReadOnlyList<ViewDefinition> views, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        var stored = new IReadOnlyDictionary<int, long>[views.Count];
        for (var v = 0; v < views.Count; v++)
        {
            stored[v] = await store.GetMaxOffsetsAsync(views[v], cancellationToken).ConfigureAwait(false);
        }

        return partitions
            .Select(p => new PartitionResume(topic, p, stored.Select(s => s.TryGetValue(p, out var max) ? max : (long?)null).ToArray()))
            .ToArray();
    }
}
