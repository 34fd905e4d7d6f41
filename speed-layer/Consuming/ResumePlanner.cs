using Lambda.SpeedLayer.Storage;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Pipeline;

namespace Lambda.SpeedLayer.Consuming;

/// <summary>
/// Works out where assigned partitions resume, from the max offsets each view has stored. The group's
/// committed offsets are advisory: they only say where to start looking in the table (a commit of c means
/// every view had stored c - 1), which keeps the query on the primary key; the table decides.
/// </summary>
internal sealed class ResumePlanner(ISpeedTableWriter store)
{
    public async Task<IReadOnlyList<PartitionResume>> PlanAsync(
        string topic,
        IReadOnlyList<ViewDefinition> views,
        IReadOnlyCollection<int> partitions,
        IReadOnlyDictionary<int, long>? committed,
        CancellationToken cancellationToken)
    {
        var stored = new IReadOnlyDictionary<int, long>[views.Count];
        for (var v = 0; v < views.Count; v++)
        {
            var from = partitions.ToDictionary(p => p, p => committed is not null && committed.TryGetValue(p, out var c) && c > 0 ? c - 1 : (long?)null);
            var found = await store.GetMaxOffsetsAsync(views[v], from, cancellationToken).ConfigureAwait(false);
            var unhinted = from.Where(f => f.Value is not null && !found.ContainsKey(f.Key)).ToDictionary(f => f.Key, _ => (long?)null);
            if (unhinted.Count > 0)
            {
                // The hint was wrong (another group's commit, rows deleted): ask the whole partition.
                var rest = await store.GetMaxOffsetsAsync(views[v], unhinted, cancellationToken).ConfigureAwait(false);
                found = found.Concat(rest).ToDictionary(e => e.Key, e => e.Value);
            }

            stored[v] = found;
        }

        return partitions
            .Select(p => new PartitionResume(topic, p, stored.Select(s => s.TryGetValue(p, out var max) ? max : (long?)null).ToArray()))
            .ToArray();
    }
}
