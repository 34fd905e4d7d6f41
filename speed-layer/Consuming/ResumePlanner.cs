using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Fencing;
using Lambda.SpeedLayer.Pipeline;
using Lambda.SpeedLayer.Storage;

namespace Lambda.SpeedLayer.Consuming;

/// <summary>
/// Works out where assigned partitions resume, from the max offsets each view has stored. The group's
/// committed offsets are advisory: they only say where to start looking in the table (a commit of c means
/// every view had stored c - 1), which keeps the query on the primary key; the table decides.
/// With fencing on it first takes a token per partition, and after reading records a fence per view and partition
/// (token, stored end + 1) before anything is consumed, so rows a former owner writes from there on never count
/// (<see cref="SpeedFences"/>).
/// </summary>
internal sealed class ResumePlanner(ISpeedTableWriter store, IFencingTokenSource? fencing = null)
{
    public async Task<IReadOnlyList<PartitionResume>> PlanAsync(
        string topic,
        IReadOnlyList<ViewDefinition> views,
        IReadOnlyCollection<int> partitions,
        IReadOnlyDictionary<int, long>? committed,
        CancellationToken cancellationToken)
    {
        var tokens = fencing is { IsEnabled: true }
            ? await fencing.TakeAsync(topic, partitions, cancellationToken).ConfigureAwait(false)
            : new Dictionary<int, long>();
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
            if (tokens.Count > 0)
            {
                // Stored before the partition is consumed: from here on the table says who owns what follows.
                var fences = partitions.Select(p => new SpeedFence(p, tokens[p], found.TryGetValue(p, out var end) ? end + 1 : 0)).ToArray();
                await store.WriteFencesAsync(views[v], fences, cancellationToken).ConfigureAwait(false);
            }
        }

        return partitions
            .Select(p => new PartitionResume(topic, p, stored.Select(s => s.TryGetValue(p, out var max) ? max : (long?)null).ToArray())
            {
                FencingToken = tokens.GetValueOrDefault(p),
            })
            .ToArray();
    }
}
