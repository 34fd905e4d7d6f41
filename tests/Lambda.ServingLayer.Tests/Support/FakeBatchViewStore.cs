using System.Runtime.CompilerServices;
using Lambda.ServingLayer.Querying;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>
/// Published batch views in memory: each publish is a manifest (per view a watermark and the events below it,
/// aggregated at the view's granularity). A snapshot keeps the manifest it was opened on.
/// </summary>
internal sealed class FakeBatchViewStore : IBatchViewStore
{
    private volatile Manifest _current = new(new Dictionary<string, Entry>());

    /// <summary>How many snapshots were opened.</summary>
    public int SnapshotsOpened { get; private set; }

    /// <summary>Runs when a snapshot starts reading groups (to simulate a publish during a query).</summary>
    public Action? OnRead { get; set; }

    /// <summary>
    /// Publishes <paramref name="runId"/> for <paramref name="view"/>: the batch view of the events below the watermark
    /// (events at or above it are ignored, as a recompute takes exactly the archived events below S_p).
    /// </summary>
    public void Publish(ViewDefinition view, string runId, IReadOnlyDictionary<int, long> watermark, IEnumerable<OffsetEvent> events, string? definitionHash = null)
    {
        var aggregator = new ViewAggregator(view);
        foreach (var e in events.Where(e => e.Offset < watermark.GetValueOrDefault(e.Partition)))
        {
            aggregator.Add(e.Record);
        }

        var entry = new Entry(new ViewWatermark(runId, Orders.BaseTime, definitionHash ?? view.DefinitionHash, watermark, ViewWatermark.NoOffsets), aggregator.Drain());
        var views = new Dictionary<string, Entry>(_current.Views, StringComparer.Ordinal) { [view.Name] = entry };
        _current = new Manifest(views);
    }

    public Task<IBatchViewSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        SnapshotsOpened++;
        return Task.FromResult<IBatchViewSnapshot>(new Snapshot(_current, this));
    }

    private sealed record Entry(ViewWatermark Watermark, IReadOnlyList<ViewGroup> Groups);

    private sealed record Manifest(IReadOnlyDictionary<string, Entry> Views);

    private sealed class Snapshot(Manifest manifest, FakeBatchViewStore store) : IBatchViewSnapshot
    {
        public IReadOnlyDictionary<string, ViewWatermark> Views => manifest.Views.ToDictionary(v => v.Key, v => v.Value.Watermark, StringComparer.Ordinal);

        public ViewWatermark? GetWatermark(ViewDefinition view) => manifest.Views.GetValueOrDefault(view.Name)?.Watermark;

        public async IAsyncEnumerable<ViewGroup> ReadGroupsAsync(
            ViewDefinition view, ViewSelection selection, Granularity granularity, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            store.OnRead?.Invoke();
            await Task.Yield();
            if (manifest.Views.GetValueOrDefault(view.Name) is not { } entry)
            {
                yield break;
            }

            // At the view's own granularity the same group objects every time, as the real store's file cache hands them
            // out to every query: a query that changed them would change the next one's answer.
            IReadOnlyList<ViewGroup> groups = entry.Groups;
            if (granularity != view.Granularity)
            {
                var rolledUp = new ViewAggregator(view, granularity);
                foreach (var group in entry.Groups)
                {
                    rolledUp.MergeGroup(group);
                }

                groups = rolledUp.Drain();
            }

            foreach (var group in groups.Where(selection.Matches))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return group;
            }
        }
    }
}
