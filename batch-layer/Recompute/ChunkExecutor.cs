using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Dataset;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Computes chunks (one view, one day each) of a run and writes their day files under the run's directory: the archived rows
/// of that day below the run's watermarks, aggregated by the shared <see cref="Lambda.Shared.Aggregation.ViewAggregator"/>
/// (<see cref="ChunkAggregation"/>), joined with the run's lookup versions. The file depends only on the
/// <see cref="ChunkRunSpec"/> and those rows, never on the worker or on the file layout of the snapshot it loads (a later
/// commit holds only offsets above the watermarks; a compaction holds the same rows), so a chunk redone by another worker
/// writes the same bytes to the same path (written aside, then renamed).
/// </summary>
public sealed class ChunkExecutor
{
    private readonly LambdaCatalog _catalog;
    private readonly string _root;
    private readonly RecomputeOptions _options;
    private readonly BatchViewWriter _writer;
    private readonly ILookupReader? _lookups;
    private readonly IMasterCommitLogs _datasets;
    private readonly IBatchViewFileStager? _stager;
    private readonly Lock _cacheLock = new();
    private string? _cachedRun;
    private Dictionary<string, MasterDatasetSnapshot> _snapshots = new(StringComparer.Ordinal);
    private LookupSnapshot? _lookupSnapshot;

    /// <summary>
    /// Creates the executor (resolved from DI, see <c>AddLambdaRecomputeEngine</c>). Snapshots of the master dataset come
    /// from <paramref name="datasets"/> (the configured storage kind; without it, the commit logs under the dataset root);
    /// each day file written is staged through <paramref name="stager"/> at once (on s3, uploaded), so the instance that
    /// publishes the run need not share this instance's root.
    /// </summary>
    public ChunkExecutor(
        LambdaCatalog catalog, IOptions<BatchStorageOptions> storage, IOptions<RecomputeOptions> options, BatchViewWriter writer, ILookupReader? lookups = null,
        IMasterCommitLogs? datasets = null, IBatchViewFileStager? stager = null)
    {
        _stager = stager;
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _root = storage.Value.ResolveRoot();
        _options = options.Value;
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        RequireLookupsOf(catalog, lookups);
        _lookups = lookups;
        _datasets = datasets ?? new LocalCommitLogs(_root);
    }

    /// <summary>
    /// Refuses a missing lookup reader when <paramref name="catalog"/> declares lookups: without one, every view that
    /// joins a lookup would join nothing and publish days that disagree with the speed layer's.
    /// </summary>
    /// <exception cref="ArgumentException">The catalog declares lookups and <paramref name="lookups"/> is null.</exception>
    internal static void RequireLookupsOf(LambdaCatalog catalog, ILookupReader? lookups)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (lookups is null && catalog.Lookups.Count > 0)
        {
            throw new ArgumentException(
                $"the catalog declares lookups ({string.Join(", ", catalog.Lookups.Select(l => l.Name))}) but no lookup reader was given", nameof(lookups));
        }
    }

    /// <summary>
    /// Runs <paramref name="chunks"/> (of one source, on one or more days) of run <paramref name="spec"/>, opening each file
    /// of their days once for all of them and aggregating per view and day; the outcomes in the same order (the rows read
    /// are counted on the first). A chunk's file does not depend on which other chunks ran with it.
    /// </summary>
    /// <exception cref="InvalidDataException">This worker's catalog defines a view otherwise than the run was planned with.</exception>
    public async Task<IReadOnlyList<ChunkOutcome>> RunAsync(ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Count == 0 || chunks.Any(c => !string.Equals(c.Source, chunks[0].Source, StringComparison.Ordinal)))
        {
            throw new ArgumentException("chunks run together must be of one source", nameof(chunks));
        }

        if (chunks.DistinctBy(c => (c.View, c.Day)).Count() != chunks.Count)
        {
            throw new ArgumentException("chunks run together must be of distinct views or days", nameof(chunks));
        }

        var views = chunks.Select(c => c.View).Distinct(StringComparer.Ordinal).ToArray();
        var plans = views.Select(v => Plan(spec, v, chunks.Where(c => string.Equals(c.View, v, StringComparison.Ordinal)).Select(c => c.Day))).ToArray();
        if (_options.ChunkDelay > TimeSpan.Zero)
        {
            await Task.Delay(_options.ChunkDelay, cancellationToken).ConfigureAwait(false);
        }

        var source = plans[0].View.Source;
        var (snapshot, lookups) = await LoadAsync(spec, source, cancellationToken).ConfigureAwait(false);
        var aggregation = new ChunkAggregation(snapshot, new MasterFileSchema(source), plans, lookups);
        var (aggregates, rowsRead) = await aggregation.RunAsync(
            aggregation.SelectFiles(), _options.MaxDegreeOfParallelism, static (_, _) => { }, cancellationToken).ConfigureAwait(false);
        var outcomes = new ChunkOutcome[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var v = Array.IndexOf(views, chunk.View);
            var d = IndexOf(aggregation.Days, chunk.Day);
            var view = plans[v].View;
            var read = i == 0 ? rowsRead : 0;
            var groups = aggregates[v][d].GetGroups();
            if (groups.Count == 0)
            {
                outcomes[i] = new ChunkOutcome(chunk.Number, 0, null, read);
                continue;
            }

            var relative = BatchViewLayout.DayFile(view, spec.RunId, chunk.Day);
            var rows = await _writer.WriteAsync(BatchViewLayout.Resolve(_root, relative), view, chunk.Day, spec.RunId, groups, cancellationToken).ConfigureAwait(false);
            if (_stager is not null)
            {
                await _stager.StageAsync(relative, cancellationToken).ConfigureAwait(false);
            }

            outcomes[i] = new ChunkOutcome(chunk.Number, rows, relative, read);
        }

        return outcomes;
    }

    private static int IndexOf(IReadOnlyList<DateOnly> days, DateOnly day)
    {
        for (var i = 0; i < days.Count; i++)
        {
            if (days[i] == day)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"day {day:yyyy-MM-dd} was not aggregated");
    }

    private ViewPlan Plan(ChunkRunSpec spec, string name, IEnumerable<DateOnly> days)
    {
        var viewSpec = spec.GetView(name);
        if (!_catalog.TryGetView(name, out var view) || !string.Equals(view.DefinitionHash, viewSpec.DefinitionHash, StringComparison.Ordinal))
        {
            throw new InvalidDataException(
                $"recompute run {spec.RunId} planned view '{name}' as definition {viewSpec.DefinitionHash}, but this worker's catalog "
                + (view is null ? "has no such view" : $"defines it as {view.DefinitionHash}") + ": every batch-layer instance must run the same catalog");
        }

        return new ViewPlan
        {
            View = view,
            Previous = null,
            Replaced = null,
            Watermarks = viewSpec.Watermarks,
            ComputeDays = new SortedSet<DateOnly>(days),
        };
    }

    // A worker runs many chunks of one run: the commit log and the lookups are read once per run and source.
    private async Task<(MasterDatasetSnapshot Snapshot, LookupSnapshot Lookups)> LoadAsync(ChunkRunSpec spec, SourceDefinition source, CancellationToken cancellationToken)
    {
        lock (_cacheLock)
        {
            if (!string.Equals(_cachedRun, spec.RunId, StringComparison.Ordinal))
            {
                _cachedRun = spec.RunId;
                _snapshots = new Dictionary<string, MasterDatasetSnapshot>(StringComparer.Ordinal);
                _lookupSnapshot = null;
            }

            if (_snapshots.TryGetValue(source.Name, out var cached) && _lookupSnapshot is not null)
            {
                return (cached, _lookupSnapshot);
            }
        }

        var lookups = await ReadLookupsAsync(spec, cancellationToken).ConfigureAwait(false);
        var snapshot = await _datasets.Open(source.Name).LoadSnapshotAsync(cancellationToken).ConfigureAwait(false);
        lock (_cacheLock)
        {
            if (string.Equals(_cachedRun, spec.RunId, StringComparison.Ordinal))
            {
                _snapshots.TryAdd(source.Name, snapshot);
                _lookupSnapshot ??= lookups;
            }
        }

        return (snapshot, lookups);
    }

    private async Task<LookupSnapshot> ReadLookupsAsync(ChunkRunSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Lookups.Count == 0)
        {
            return LookupSnapshot.Empty;
        }

        if (_lookups is null)
        {
            throw new InvalidOperationException($"recompute run {spec.RunId} joins lookups ({string.Join(", ", spec.Lookups.Keys)}) but this worker has no lookup store");
        }

        return await LookupSnapshots.ReadVersionsAsync(_lookups, _catalog, spec.Lookups, $"recompute run {spec.RunId}", cancellationToken).ConfigureAwait(false);
    }
}
