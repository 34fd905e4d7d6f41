using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The published batch views through Lambda.Shared's BatchViews: every <see cref="OpenSnapshotAsync"/> loads the
/// manifest once (<see cref="IManifestStore"/>) and the snapshot reads only the day files that manifest names
/// (<see cref="BatchViewReader"/>).
/// </summary>
/// <remarks>Decoded day files are cached per manifest run, since published files are immutable: see docs/design-notes.md#batch-view-file-cache.</remarks>
public sealed class ManifestBatchViewStore(IManifestStore manifests, BatchViewReader reader) : IBatchViewStore
{
    private FileCache? _cache;

    /// <inheritdoc/>
    public async Task<IBatchViewSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var manifest = await manifests.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            return new Snapshot(null, reader, manifests.Root, new FileCache(string.Empty));
        }

        var cache = _cache;
        if (cache is null || !string.Equals(cache.RunId, manifest.RunId, StringComparison.Ordinal))
        {
            cache = new FileCache(manifest.RunId);
            _cache = cache;
        }

        return new Snapshot(manifest, reader, manifests.Root, cache);
    }

    private sealed class FileCache(string runId)
    {
        public string RunId { get; } = runId;

        public ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<ViewGroup>>>> Files { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Snapshot : IBatchViewSnapshot
    {
        private readonly BatchManifest? _manifest;
        private readonly BatchViewReader _reader;
        private readonly string _root;
        private readonly FileCache _cache;

        public Snapshot(BatchManifest? manifest, BatchViewReader reader, string root, FileCache cache)
        {
            _manifest = manifest;
            _reader = reader;
            _root = root;
            _cache = cache;
            Views = manifest is null
                ? new Dictionary<string, ViewWatermark>()
                : manifest.Views.ToDictionary(v => v.Key, v => v.Value.Watermark, StringComparer.Ordinal);
        }

        public IReadOnlyDictionary<string, ViewWatermark> Views { get; }

        public ViewWatermark? GetWatermark(ViewDefinition view)
        {
            ArgumentNullException.ThrowIfNull(view);
            return _manifest?.FindView(view.Name)?.Watermark;
        }

        public IAsyncEnumerable<ViewGroup> ReadGroupsAsync(
            ViewDefinition view, ViewSelection selection, Granularity granularity, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(view);
            ArgumentNullException.ThrowIfNull(selection);
            if (!view.Granularity.CanRollUpTo(granularity) || !selection.Range.IsAlignedTo(granularity))
            {
                throw new ArgumentException(
                    $"view '{view.Name}' per {view.Granularity.ToName()} cannot be rolled up to {granularity.ToName()} for the range {selection.Range}", nameof(granularity));
            }

            return ReadSelectedAsync(view, selection, granularity, cancellationToken);
        }

        private async IAsyncEnumerable<ViewGroup> ReadSelectedAsync(
            ViewDefinition view, ViewSelection selection, Granularity granularity, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var entry = _manifest?.FindView(view.Name);
            if (entry is null || selection.Range.IsEmpty)
            {
                yield break;
            }

            var firstDay = DateOnly.FromDateTime(selection.Range.Start.UtcDateTime);
            var lastDay = DateOnly.FromDateTime(selection.Range.End.UtcDateTime.AddTicks(-1));
            foreach (var day in entry.Days)
            {
                if (day.Day < firstDay || day.Day > lastDay)
                {
                    continue;
                }

                var groups = granularity != view.Granularity
                    ? await ReadRolledUpAsync(view, day, granularity, cancellationToken).ConfigureAwait(false)
                    : await ReadFileAsync(view, day, cancellationToken).ConfigureAwait(false);
                foreach (var group in groups)
                {
                    // The decoded files are cached whole and shared by queries; each query's selection is applied as it reads them.
                    if (selection.Matches(group))
                    {
                        yield return group;
                    }
                }
            }
        }

        private Task<IReadOnlyList<ViewGroup>> ReadRolledUpAsync(ViewDefinition view, BatchViewDay day, Granularity granularity, CancellationToken cancellationToken) =>
            Cached(BatchViewLayout.Resolve(_root, day.File) + "|" + granularity.ToName(), async () =>
            {
                var aggregator = new ViewAggregator(view, granularity);
                foreach (var group in await ReadFileAsync(view, day, CancellationToken.None).ConfigureAwait(false))
                {
                    aggregator.MergeGroup(group);
                }

                return aggregator.Drain();
            }, cancellationToken);

        private Task<IReadOnlyList<ViewGroup>> ReadFileAsync(ViewDefinition view, BatchViewDay day, CancellationToken cancellationToken)
        {
            var path = BatchViewLayout.Resolve(_root, day.File);
            return Cached(path, () => _reader.ReadFileAsync(path, view, CancellationToken.None), cancellationToken);
        }

        private Task<IReadOnlyList<ViewGroup>> Cached(string key, Func<Task<IReadOnlyList<ViewGroup>>> load, CancellationToken cancellationToken)
        {
            // The load is not tied to one query's token: other queries may wait for the same groups.
            var lazy = _cache.Files.GetOrAdd(key, _ => new Lazy<Task<IReadOnlyList<ViewGroup>>>(load));
            var task = lazy.Value;
            if (task.IsFaulted || task.IsCanceled)
            {
                // A failed read is not cached: the next query tries again.
                _cache.Files.TryRemove(new KeyValuePair<string, Lazy<Task<IReadOnlyList<ViewGroup>>>>(key, lazy));
            }

            return task.WaitAsync(cancellationToken);
        }
    }
}
