using Lambda.BatchLayer.Recompute;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// Publishes a manifest the way the recompute engine does, for engine stand-ins: the view's entry keeps its
/// earlier days, the given days replace theirs, and the result is published atomically over the current one
/// (through the given store, by default the local kind's, stamped with the given time, by default now).
/// </summary>
public static class TestManifests
{
    public static async Task<BatchManifest> PublishAsync(
        string root, ViewDefinition view, string runId, IReadOnlyList<RecomputedDay> days, CancellationToken cancellationToken, string? definitionHash = null,
        IManifestStore? store = null, DateTimeOffset? publishedAt = null)
    {
        store ??= new ManifestStore(root);
        var current = await store.LoadAsync(cancellationToken);
        var entries = new SortedDictionary<string, BatchViewEntry>(StringComparer.Ordinal);
        foreach (var (name, entry) in current?.Views ?? new Dictionary<string, BatchViewEntry>())
        {
            entries[name] = entry;
        }

        var hash = definitionHash ?? view.DefinitionHash;
        var merged = new SortedDictionary<DateOnly, BatchViewDay>();
        if (current?.FindView(view.Name) is { } previous && previous.DefinitionHash == hash)
        {
            foreach (var day in previous.Days)
            {
                merged[day.Day] = day;
            }
        }

        foreach (var day in days)
        {
            merged[day.Day] = new BatchViewDay(day.Day, day.File, day.Rows, runId);
        }

        var now = publishedAt ?? DateTimeOffset.UtcNow;
        entries[view.Name] = new BatchViewEntry
        {
            View = view.Name,
            Source = view.Source.Name,
            DefinitionHash = hash,
            RunId = runId,
            ComputedAt = now,
            Watermarks = new Dictionary<int, long>(),
            Days = merged.Values.ToArray(),
        };
        var manifest = new BatchManifest { RunId = runId, PublishedAt = now, Views = entries };
        await store.PublishAsync(manifest, current?.RunId, cancellationToken);
        return manifest;
    }
}
