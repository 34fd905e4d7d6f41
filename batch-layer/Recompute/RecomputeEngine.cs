using Lambda.Shared.Lookups;
using System.Diagnostics;
using System.Globalization;
using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Drift;
using Lambda.BatchLayer.Retention;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Time;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Recomputes batch views from the master dataset and publishes them atomically through the manifest.
/// </summary>
/// <remarks>
/// <para>A run: lock, load the manifest, plan (<see cref="RecomputePlanner"/>), split the planned days into chunks of one
/// view and one day (<see cref="RecomputeChunkPlanner"/>), have them run by this coordinator and by any worker that takes
/// them (<see cref="ChunkWorker"/>, <see cref="IRecomputeChunkDispatcher"/>; each writes one file per view and day under
/// the run directory), and when all are done publish one manifest naming them (<see cref="RecomputeFinalizer"/>), then
/// audit, retain and drop covered speed deltas as before (batch-layer/README.md, "Several batch workers"). A failed or cancelled run publishes nothing; a run with nothing new
/// reports <see cref="RecomputeResult.NothingToDo"/>; a run started while another holds the lock fails with
/// <see cref="InvalidOperationException"/>. Why it aggregates with Parquet.Net and the shared aggregator rather than
/// DuckDB: docs/design-notes.md, "Batch views, the manifest and the recompute".</para>
/// </remarks>
public sealed class RecomputeEngine : IRecomputeEngine
{
    private readonly LambdaCatalog _catalog;
    private readonly string _root;
    private readonly RecomputeOptions _options;
    private readonly IFlushBoundarySource _boundaries;
    private readonly IManifestStore _manifests;
    private readonly ILogger<RecomputeEngine> _logger;
    private readonly TimeProvider _time;
    private readonly BatchViewRetention? _retention;
    private readonly SpeedDeltaRetention? _speedRetention;
    private readonly IPublishedRunAuditor? _auditor;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILookupReader? _lookups;
    private readonly ChunkWorker _chunks;
    private readonly IRecomputeChunkDispatcher? _dispatcher;
    private readonly IMasterCommitLogs _datasets;

    /// <summary>
    /// Creates the engine (resolved from DI, see <c>AddLambdaRecomputeEngine</c>). Without
    /// <paramref name="retention"/> no run directory is ever deleted or recorded as superseded. Snapshots of the master
    /// dataset come from <paramref name="datasets"/> (the configured storage kind; without it, the commit logs under the root).
    /// </summary>
    public RecomputeEngine(
        LambdaCatalog catalog,
        IOptions<BatchStorageOptions> storage,
        IOptions<RecomputeOptions> options,
        IFlushBoundarySource boundaries,
        IManifestStore manifests,
        BatchViewWriter writer,
        ILogger<RecomputeEngine> logger,
        TimeProvider time,
        BatchViewRetention? retention = null,
        SpeedDeltaRetention? speedRetention = null,
        IPublishedRunAuditor? auditor = null,
        ILookupReader? lookups = null,
        ChunkWorker? chunks = null,
        IRecomputeChunkDispatcher? dispatcher = null,
        IMasterCommitLogs? datasets = null)
    {
        ChunkExecutor.RequireLookupsOf(catalog, lookups);
        _lookups = lookups;
        _dispatcher = dispatcher;
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(manifests);
        _catalog = catalog;
        _root = storage.Value.ResolveRoot();
        _datasets = datasets ?? new LocalCommitLogs(_root);
        _options = options.Value;
        _boundaries = boundaries;
        _manifests = manifests;
        _logger = logger;
        _time = time;
        _retention = retention;
        _speedRetention = speedRetention;
        _auditor = auditor;
        _chunks = chunks ?? new ChunkWorker(
            new InMemoryRecomputeChunkStore(time),
            new ChunkExecutor(catalog, storage, options, writer, lookups, _datasets, manifests as IBatchViewFileStager),
            options,
            time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ChunkWorker>.Instance);
        if (!string.Equals(Path.GetFullPath(manifests.Root), _root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the manifest store's root '{manifests.Root}' is not the dataset root '{_root}'", nameof(manifests));
        }

        if (retention is not null && !string.Equals(Path.GetFullPath(retention.Root), _root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the retention's root '{retention.Root}' is not the dataset root '{_root}'", nameof(retention));
        }
    }

    /// <inheritdoc/>
    public async Task<RecomputeResult> RunAsync(RecomputeRequest request, IProgress<RecomputeProgress>? progress, CancellationToken cancellationToken)
    {
        var views = Validate(request);
        var startedAt = _time.GetUtcNow();
        var runId = string.Create(CultureInfo.InvariantCulture, $"{startedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N")[..8]}");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var fileLock = RecomputeLock.Acquire(_root);
            return await RunLockedAsync(request, views, runId, startedAt, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<RecomputeResult> RunLockedAsync(
        RecomputeRequest request, IReadOnlyList<ViewDefinition> views, string runId, DateTimeOffset startedAt, IProgress<RecomputeProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        progress?.Report(new RecomputeProgress("plan", 0, views.Count, 0));
        var published = await _manifests.LoadAsync(cancellationToken).ConfigureAwait(false);
        // One set of lookup versions for the whole run, recorded with each view it computes (BatchViewEntry.Lookups).
        var lookups = _lookups is null || _catalog.Lookups.Count == 0
            ? LookupSnapshot.Empty
            : await _lookups.ReadSnapshotAsync(_catalog, cancellationToken).ConfigureAwait(false);
        var sources = new Dictionary<SourceDefinition, (MasterDatasetSnapshot Snapshot, MasterFileSchema Schema)>();
        foreach (var source in views.Select(v => v.Source).Distinct())
        {
            sources[source] = (await _datasets.Open(source.Name).LoadSnapshotAsync(cancellationToken).ConfigureAwait(false), new MasterFileSchema(source));
        }

        // Each view's highest flush boundaries at or below what the archive holds (IFlushBoundarySource), all views in one go.
        var boundaries = await _boundaries.GetHighestBoundariesAsync(
            views.Distinct().ToDictionary(v => v, v => sources[v.Source].Snapshot.CommittedEnds),
            cancellationToken).ConfigureAwait(false);
        var plans = new List<ViewPlan>();
        foreach (var view in views)
        {
            var (snapshot, schema) = sources[view.Source];
            var plan = await RecomputePlanner.PlanAsync(view, snapshot, schema, published?.FindView(view.Name), request, boundaries[view], cancellationToken).ConfigureAwait(false);
            if (_lookups is not null && plan.Previous is not null && request.Mode != RecomputeMode.Full)
            {
                // A back-dated publish: the days at or below the watermark that the new rows join differently are redone.
                var redo = await LookupRedo.DaysAsync(view, plan.Previous, lookups, _lookups, cancellationToken).ConfigureAwait(false);
                plan.LookupRedoDays = redo.Count(d => plan.ComputeDays.Add(d));
                plan.LookupsChanged = LookupRedo.VersionsDiffer(view, plan.Previous, lookups);
            }

            plans.Add(plan);
            _logger.LogInformation(
                "Recompute {RunId}: view {View} ({Hash}) watermarks [{Watermarks}]{Changed}; {Days} days to recompute{DayList}",
                runId, view.Name, view.DefinitionHash, FormatWatermarks(plan.Watermarks), plan.WatermarksChanged ? " (moved)" : string.Empty,
                plan.ComputeDays.Count, plan.ComputeDays.Count is > 0 and <= 14 ? ": " + string.Join(", ", plan.ComputeDays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))) : string.Empty);
        }

        var dropped = request.Views is { Count: > 0 } || published is null
            ? []
            : published.Views.Keys.Where(name => !_catalog.TryGetView(name, out _)).ToArray();
        if (!plans.Any(p => p.HasWork) && dropped.Length == 0)
        {
            _logger.LogInformation("Recompute {RunId}: nothing new since run {Previous}; nothing published", runId, published?.RunId ?? "(none)");
            var unchanged = await RetainAsync(runId, progress, 0).ConfigureAwait(false);
            await DropCoveredSpeedDeltasAsync(runId, published).ConfigureAwait(false);
            return Result(runId, nothingToDo: true, [], 0, 0, startedAt) with { Retention = unchanged };
        }

        var planned = clock.Elapsed;
        var chunks = RecomputeChunkPlanner.Plan(plans);
        IReadOnlyList<RecomputedDay> days = [];
        long rowsRead = 0;
        if (chunks.Count > 0)
        {
            var spec = new ChunkRunSpec(
                runId,
                plans.Where(p => p.ComputeDays.Count > 0).Select(p => new ChunkViewSpec(p.View.Name, p.View.DefinitionHash, p.Watermarks)).ToArray(),
                lookups.Versions);
            // A coordinator killed mid-run left its run running: with the same inputs its finished chunks are this run's
            // files but for the run id, so the run goes on under its id instead of computing them again.
            var adopted = await _chunks.Store.TryAdoptRunAsync(spec, chunks, ChunkWorker.Identity, published?.RunId, cancellationToken).ConfigureAwait(false);
            if (adopted is not null && await MissingChunkFileAsync(adopted, cancellationToken).ConfigureAwait(false) is { } missing)
            {
                // The retention command may have deleted an unpublished run's files after its grace period.
                _logger.LogWarning("Recompute {RunId}: not going on with run {Adopted}, whose finished chunk file {File} is gone; starting anew", runId, adopted, missing);
                await _chunks.Store.FinishRunAsync(adopted, published: false, CancellationToken.None).ConfigureAwait(false);
                adopted = null;
            }

            if (adopted is not null)
            {
                _logger.LogInformation(
                    "Recompute {RunId}: goes on as run {Adopted}, left running by a coordinator that is gone, with the same inputs and {Chunks} chunks",
                    runId, adopted, chunks.Count);
                runId = adopted;
                spec = spec with { RunId = adopted };
            }

            var status = await RunChunksAsync(spec, chunks, create: adopted is null, progress, cancellationToken).ConfigureAwait(false);
            days = RecomputeFinalizer.Days(chunks, status.Outcomes);
            rowsRead = status.RowsRead;
        }

        var computing = clock.Elapsed - planned;
        progress?.Report(new RecomputeProgress("publish", 0, 1, rowsRead));
        var manifest = RecomputeFinalizer.BuildManifest(published, plans, days, dropped, runId, lookups, _time.GetUtcNow());
        var publishedNow = false;
        try
        {
            await _manifests.PublishAsync(manifest, published?.RunId, cancellationToken).ConfigureAwait(false);
            publishedNow = true;
        }
        finally
        {
            if (chunks.Count > 0)
            {
                await _chunks.Store.FinishRunAsync(runId, publishedNow, CancellationToken.None).ConfigureAwait(false);
            }
        }

        progress?.Report(new RecomputeProgress("publish", 1, 1, rowsRead));
        // After the publish and before any speed delta is dropped (the drift audit reads the ones this run now covers).
        if (_auditor is not null)
        {
            await _auditor.AuditAsync(runId, published, manifest).ConfigureAwait(false);
        }

        var rowsWritten = days.Sum(d => d.Rows);
        _logger.LogInformation(
            "Recompute {RunId}: published {Days} recomputed view-days ({RowsWritten} rows) from {RowsRead} master rows in {Elapsed} ms ({Rate:F0} rows/s; plan {Plan} ms, {Chunks} chunks {Compute} ms)",
            runId, days.Count, rowsWritten, rowsRead, clock.ElapsedMilliseconds, rowsRead / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
            (long)planned.TotalMilliseconds, chunks.Count, (long)computing.TotalMilliseconds);
        var retention = await RetainAsync(runId, progress, rowsRead).ConfigureAwait(false);
        await DropCoveredSpeedDeltasAsync(runId, published).ConfigureAwait(false);
        return Result(runId, nothingToDo: false, days, rowsRead, rowsWritten, startedAt) with { Retention = retention };
    }

    /// <summary>
    /// Drops the speed deltas covered by <paramref name="current"/>, the manifest that was current when the run
    /// started (see <see cref="SpeedDeltaRetention"/>); a failure is logged, the run's publish stands.
    /// </summary>
    private async Task DropCoveredSpeedDeltasAsync(string runId, BatchManifest? current)
    {
        if (_speedRetention is null)
        {
            return;
        }

        try
        {
            // Not cancellable, like the retention pass: the publish already happened.
            await _speedRetention.DropCoveredDeltasAsync(current, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ClickHouseException or HttpRequestException)
        {
            _logger.LogError(ex, "Recompute {RunId}: dropping the speed deltas covered by run {Covering} failed; they stay until the next run", runId, current?.RunId);
        }
    }

    /// <summary>The retention pass at the end of a run, under the run's lock; null when there is none or it failed.</summary>
    private async Task<RetentionResult?> RetainAsync(string runId, IProgress<RecomputeProgress>? progress, long rowsRead)
    {
        if (_retention is null)
        {
            return null;
        }

        progress?.Report(new RecomputeProgress("retain", 0, null, rowsRead));
        try
        {
            // Not cancellable: the manifest is already published, and a run reported as cancelled after its
            // publish would be retried for nothing; a pass only lists views/ and deletes a few directories.
            var result = await _retention.RunLockedAsync(
                _retention.Options.Enabled ? RetentionMode.Delete : RetentionMode.RecordOnly,
                _retention.Options.GracePeriod,
                CancellationToken.None).ConfigureAwait(false);
            progress?.Report(new RecomputeProgress("retain", result.Deleted, result.Deleted + result.WouldDelete + result.Failed, rowsRead));
            return result;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // The run's publish stands; a cleanup that failed leaves garbage for the next pass, never a broken manifest.
            _logger.LogError(ex, "Recompute {RunId}: the retention pass after the run failed; nothing more was deleted", runId);
            return null;
        }
    }

    /// <summary>The first file a finished chunk of run <paramref name="runId"/> names that does not exist; null when all do.</summary>
    private async Task<string?> MissingChunkFileAsync(string runId, CancellationToken cancellationToken)
    {
        var status = await _chunks.Store.GetStatusAsync(runId, cancellationToken).ConfigureAwait(false);
        return status.Outcomes.Select(o => o.File).OfType<string>().FirstOrDefault(f => !File.Exists(BatchViewLayout.Resolve(_root, f)));
    }

    /// <summary>
    /// Records the run's chunks (unless it adopted a dead coordinator's run, <paramref name="create"/> false), offers them to the other workers and works on them too until every one is done: this
    /// coordinator claims what is pending or whose lease ran out (a worker that died), and waits for the others' chunks.
    /// </summary>
    private async Task<ChunkRunStatus> RunChunksAsync(
        ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, bool create, IProgress<RecomputeProgress>? progress, CancellationToken cancellationToken)
    {
        var store = _chunks.Store;
        if (create)
        {
            await store.CreateRunAsync(spec, chunks, ChunkWorker.Identity, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var adopted = create ? null : await store.GetStatusAsync(spec.RunId, cancellationToken).ConfigureAwait(false);
            if (adopted is not null)
            {
                _logger.LogInformation("Recompute {RunId}: {Done} of {Chunks} chunks were done before; they are not computed again", spec.RunId, adopted.Done, adopted.Total);
            }

            progress?.Report(new RecomputeProgress("chunks", adopted?.Done ?? 0, chunks.Count, adopted?.RowsRead ?? 0));
            if (_dispatcher is not null)
            {
                await _dispatcher.DispatchAsync(spec.RunId, chunks, cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                var ran = await _chunks.RunAsync(spec, null, cancellationToken).ConfigureAwait(false);
                var status = await store.GetStatusAsync(spec.RunId, cancellationToken).ConfigureAwait(false);
                progress?.Report(new RecomputeProgress("chunks", status.Done, status.Total, status.RowsRead));
                if (status.Failure is not null)
                {
                    throw new InvalidOperationException($"recompute {spec.RunId}: {status.Failure}");
                }

                if (status.Done == status.Total)
                {
                    _logger.LogInformation(
                        "Recompute {RunId}: all {Chunks} chunks done (by worker: {Workers})",
                        spec.RunId, status.Total, string.Join(", ", status.DoneByWorker.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key}={w.Value}")));
                    return status;
                }

                if (ran is null)
                {
                    await Task.Delay(_options.ChunkPollInterval, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // Nobody claims a chunk of a run that will not publish.
            await store.FinishRunAsync(spec.RunId, published: false, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private IReadOnlyList<ViewDefinition> Validate(RecomputeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enum.IsDefined(request.Mode))
        {
            throw new ArgumentException($"request.Mode: {request.Mode} is not a recompute mode (Incremental, Full, Backfill)", nameof(request));
        }

        if (request.Mode == RecomputeMode.Backfill)
        {
            if (request.From is null || request.To is null)
            {
                throw new ArgumentException("request.From and request.To: a backfill needs both (the first and last UTC day, inclusive)", nameof(request));
            }

            if (request.From > request.To)
            {
                throw new ArgumentException($"request.From ({request.From:yyyy-MM-dd}) is after request.To ({request.To:yyyy-MM-dd})", nameof(request));
            }
        }
        else if (request.From is not null || request.To is not null)
        {
            throw new ArgumentException($"request.From/request.To: a day range is only valid with Mode = Backfill, not {request.Mode}", nameof(request));
        }

        if (request.Views is not { Count: > 0 })
        {
            return _catalog.Views;
        }

        return request.Views.Distinct(StringComparer.Ordinal).Select(name => _catalog.TryGetView(name, out var view)
                ? view
                : throw new ArgumentException(
                    $"request.Views: view '{name}' is not in the catalog ({string.Join(", ", _catalog.Views.Select(v => v.Name))})", nameof(request)))
            .ToArray();
    }

    private RecomputeResult Result(string runId, bool nothingToDo, IReadOnlyList<RecomputedDay> days, long rowsRead, long rowsWritten, DateTimeOffset startedAt) => new()
    {
        RunId = runId,
        NothingToDo = nothingToDo,
        Days = days,
        RowsRead = rowsRead,
        RowsWritten = rowsWritten,
        StartedAt = startedAt,
        FinishedAt = _time.GetUtcNow(),
    };

    private static string FormatWatermarks(IReadOnlyDictionary<int, long> watermarks) =>
        watermarks.Count <= 16
            ? string.Join(", ", watermarks.Select(w => string.Create(CultureInfo.InvariantCulture, $"p{w.Key}={w.Value}")))
            : string.Create(CultureInfo.InvariantCulture, $"{watermarks.Count} partitions, {watermarks.Values.Sum()} offsets");
}
