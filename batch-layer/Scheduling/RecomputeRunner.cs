using Lambda.BatchLayer.AnalystViews;
using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Status;
using Lambda.Shared.Batch;
using Lambda.BatchLayer.Telemetry;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Deployment;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Runs one recompute end to end, the same way for Hangfire jobs and command-line runs: records it in
/// <c>batch_runs</c>, takes the recompute lock (one recompute at a time across all instances), runs the
/// engine (which has its chunks run by every batch worker and publishes once, atomically; the chunk count goes to
/// <c>batch_runs.stage</c> as <c>chunks done/total</c>), records the published days, loads into ClickHouse every day the
/// dataset root's current manifest names that ClickHouse does not hold yet (this run's and any an earlier
/// run failed to load), and records the outcome. An error is recorded and rethrown, so Hangfire's
/// automatic retry sees it.
/// </summary>
public sealed class RecomputeRunner
{
    /// <summary>How often progress is written to <c>batch_runs</c>.</summary>
    public static readonly TimeSpan ProgressFlushInterval = TimeSpan.FromSeconds(2);

    private readonly IServiceProvider _services;
    private readonly IBatchRunStore _store;
    private readonly IRecomputeLock _lock;
    private readonly IBatchViewLoader _loader;
    private readonly IManifestStore _manifests;
    private readonly LambdaCatalog _catalog;
    private readonly BatchLayerOptions _options;
    private readonly BatchScheduleOptions _schedule;
    private readonly BatchLoadOptions _load;
    private readonly TimeProvider _time;
    private readonly ILogger<RecomputeRunner> _logger;
    private readonly BatchLayerMetrics? _metrics;
    private readonly IExactViewPublisher? _exactViews;
    private readonly bool _kappa;

    /// <summary>
    /// Creates the runner. The engine is resolved per run, so a host without one still starts.
    /// <paramref name="manifests"/> must be the manifest of the dataset root in <paramref name="options"/>.
    /// </summary>
    public RecomputeRunner(
        IServiceProvider services,
        IBatchRunStore store,
        IRecomputeLock recomputeLock,
        IBatchViewLoader loader,
        IManifestStore manifests,
        LambdaCatalog catalog,
        IOptions<BatchLayerOptions> options,
        IOptions<BatchScheduleOptions> schedule,
        IOptions<BatchLoadOptions> load,
        TimeProvider time,
        ILogger<RecomputeRunner> logger,
        IOptions<LambdaModeOptions> mode,
        BatchLayerMetrics? metrics = null,
        IExactViewPublisher? exactViews = null)
    {
        _kappa = (mode ?? throw new ArgumentNullException(nameof(mode))).Value.IsKappa;
        _metrics = metrics;
        _exactViews = exactViews;
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _lock = recomputeLock ?? throw new ArgumentNullException(nameof(recomputeLock));
        _loader = loader ?? throw new ArgumentNullException(nameof(loader));
        _manifests = manifests ?? throw new ArgumentNullException(nameof(manifests));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _schedule = schedule?.Value ?? throw new ArgumentNullException(nameof(schedule));
        _load = load?.Value ?? throw new ArgumentNullException(nameof(load));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        var root = _options.GetDatasetRootPath();
        if (!string.Equals(Path.GetFullPath(_manifests.Root), root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the manifest store's root '{_manifests.Root}' is not the dataset root '{root}' (Batch:DatasetRoot)", nameof(manifests));
        }
    }

    /// <summary>The identity recorded in <c>batch_runs.host</c>: machine name and process id.</summary>
    public static string HostIdentity => ChunkWorker.Identity;

    /// <summary>
    /// Runs the recompute and returns its final record (state succeeded or nothing_to_do).
    /// Failures are recorded (state failed or cancelled) and rethrown. In Kappa mode (<c>Lambda:Mode</c>) nothing runs:
    /// <see cref="InvalidOperationException"/> with <see cref="LambdaModeOptions.RecomputesOffInKappa"/>.
    /// </summary>
    public async Task<BatchRun> RunAsync(RecomputeRun run, IProgress<RecomputeProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (_kappa)
        {
            throw new InvalidOperationException(LambdaModeOptions.RecomputesOffInKappa);
        }

        var runId = Guid.CreateVersion7(_time.GetUtcNow());
        await _store.StartAsync(
            new BatchRunStart
            {
                Id = runId,
                Request = run.Request,
                RequestedBy = run.RequestedBy,
                JobId = run.JobId,
                Attempt = run.Attempt,
                Host = HostIdentity,
                StartedAt = _time.GetUtcNow(),
            },
            cancellationToken).ConfigureAwait(false);

        using var scope = _logger.BeginScope(new Dictionary<string, object?> { ["BatchRunId"] = runId, ["JobId"] = run.JobId });
        _logger.LogInformation(
            "Recompute run {RunId} ({Mode} {From}..{To}, requested by {RequestedBy}, attempt {Attempt}) starts",
            runId,
            run.Request.Mode.ToName(),
            RecomputeArguments.FormatDay(run.Request.From),
            RecomputeArguments.FormatDay(run.Request.To),
            run.RequestedBy,
            run.Attempt);

        var runStarted = _time.GetTimestamp();
        var recorder = new RunProgressRecorder(progress);
        var state = BatchRunState.Waiting;
        var daysLoaded = 0;
        using var flushStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var flushLoop = recorder.RunFlushLoopAsync(
            (p, ct) => _store.UpdateProgressAsync(runId, state, StageText(p), p.RowsRead, ct),
            ProgressFlushInterval,
            _time,
            _logger,
            flushStop.Token);
        try
        {
            recorder.Report(new RecomputeProgress("waiting", 0, null, 0));
            var engine = _services.GetService<IRecomputeEngine>() ?? throw new InvalidOperationException(
                "No recompute engine is registered (IRecomputeEngine): this build of the batch layer does not wire the engine in "
                + "(see BatchSchedulingServiceCollectionExtensions.AddLambdaBatchEngine).");

            await using (await _lock.AcquireAsync(_schedule.LockWaitTimeout, cancellationToken).ConfigureAwait(false))
            {
                state = BatchRunState.Running;
                await _store.UpdateProgressAsync(runId, BatchRunState.Running, "recompute", 0, cancellationToken).ConfigureAwait(false);

                var result = await engine.RunAsync(run.Request, recorder, cancellationToken).ConfigureAwait(false);
                await _store.RecordResultAsync(runId, result, ToRunDays(runId, result), cancellationToken).ConfigureAwait(false);
                _logger.LogInformation(
                    "Engine run {EngineRunId}: {Outcome}, {Days} days, {RowsRead} rows read, {RowsWritten} rows written; retention deleted {RunsDeleted} unnamed items, kept {RunsInGrace} within the grace period",
                    result.RunId,
                    result.NothingToDo ? "nothing to do" : "published",
                    result.Days.Count,
                    result.RowsRead,
                    result.RowsWritten,
                    result.Retention?.Deleted ?? 0,
                    result.Retention?.KeptInGrace ?? 0);

                if (_load.Enabled)
                {
                    daysLoaded = await LoadPublishedAsync(recorder, result.RowsRead, cancellationToken).ConfigureAwait(false);

                    // After the batch tables, under the same lock: the exact analyst views move to the manifest's runs last
                    // (docs/design-notes.md, "Exact analyst views in ClickHouse").
                    if (_exactViews is not null)
                    {
                        await _exactViews.PublishAsync(await _manifests.LoadAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    }
                }

                var final = result.NothingToDo ? BatchRunState.NothingToDo : BatchRunState.Succeeded;
                await StopFlushLoopAsync(flushStop, flushLoop).ConfigureAwait(false);
                await _store.UpdateProgressAsync(runId, BatchRunState.Running, "done", result.RowsRead, CancellationToken.None).ConfigureAwait(false);
                recorder.Report(new RecomputeProgress("done", result.Days.Count, result.Days.Count, result.RowsRead));
                await _store.FinishAsync(runId, final, daysLoaded, null, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                _metrics?.RecomputeFinished(BatchRunStateNames.ToName(final), _time.GetElapsedTime(runStarted), result.RowsRead, result.RowsWritten, succeeded: true);
            }
        }
        catch (Exception ex)
        {
            await StopFlushLoopAsync(flushStop, flushLoop).ConfigureAwait(false);
            var cancelled = ex is OperationCanceledException && cancellationToken.IsCancellationRequested;
            var finalState = cancelled ? BatchRunState.Cancelled : BatchRunState.Failed;
            var error = cancelled ? "cancelled: the host is shutting down" : $"{ex.GetType().Name}: {ex.Message}";
            _metrics?.RecomputeFinished(BatchRunStateNames.ToName(finalState), _time.GetElapsedTime(runStarted), 0, 0, succeeded: false);
            if (cancelled)
            {
                _logger.LogWarning("Recompute run {RunId} cancelled", runId);
            }
            else
            {
                _logger.LogError(ex, "Recompute run {RunId} failed", runId);
            }

            try
            {
                await _store.FinishAsync(runId, finalState, daysLoaded, error, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception recordError) when (recordError is not OperationCanceledException)
            {
                _logger.LogError(recordError, "Could not record the failure of recompute run {RunId}", runId);
            }

            throw;
        }

        return await _store.GetAsync(runId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Recompute run {runId} vanished from batch_runs.");
    }

    /// <summary>The stage recorded in <c>batch_runs.stage</c>: a distributed run's chunk count (<c>chunks 12/40</c>) is shown as it goes.</summary>
    internal static string StageText(RecomputeProgress progress) =>
        progress.Stage == "chunks" && progress.Total is { } total
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"chunks {progress.Completed}/{total}")
            : progress.Stage;

    private static async Task StopFlushLoopAsync(CancellationTokenSource stop, Task loop)
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
    }

    private List<BatchRunDay> ToRunDays(Guid runId, RecomputeResult result)
    {
        var now = _time.GetUtcNow();
        var days = new List<BatchRunDay>(result.Days.Count);
        foreach (var day in result.Days)
        {
            // The engine works from the same catalog; a view it names that is not here has no definition hash to record.
            var hash = _catalog.TryGetView(day.View, out var view) ? view.DefinitionHash : string.Empty;
            days.Add(new BatchRunDay(runId, day.View, hash, day.Day, day.File, day.Rows, now));
        }

        return days;
    }

    /// <summary>
    /// Loads every day the current manifest of this dataset root names, for views whose published definition is
    /// the catalog's, unless ClickHouse already holds that day's file (same run and file).
    /// </summary>
    /// <remarks>The manifest, not the run history, says what to load, and ClickHouse says what is loaded: see docs/design-notes.md#which-batch-days-are-loaded.</remarks>
    private async Task<int> LoadPublishedAsync(IProgress<RecomputeProgress> progress, long rowsRead, CancellationToken cancellationToken)
    {
        var manifest = await _manifests.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            return 0;
        }

        var toLoad = new List<(Shared.Catalog.ViewDefinition View, BatchViewDay Day, string Path)>();
        foreach (var entry in manifest.Views.Values.OrderBy(e => e.View, StringComparer.Ordinal))
        {
            if (!_catalog.TryGetView(entry.View, out var view) || !string.Equals(view.DefinitionHash, entry.DefinitionHash, StringComparison.Ordinal))
            {
                _logger.LogDebug(
                    "Not loading view {View} of run {RunId}: the catalog has no view of that name or defines it differently than it was computed",
                    entry.View,
                    entry.RunId);
                continue;
            }

            var held = await _loader.GetLoadedDaysAsync(view, cancellationToken).ConfigureAwait(false);
            foreach (var day in entry.Days)
            {
                if (held.TryGetValue(day.Day, out var loaded)
                    && string.Equals(loaded.RunId, day.RunId, StringComparison.Ordinal)
                    && string.Equals(loaded.File, day.File, StringComparison.Ordinal))
                {
                    continue;
                }

                toLoad.Add((view, day, BatchViewLayout.Resolve(_manifests.Root, day.File)));
            }
        }

        // A file the manifest names is part of what the API serves; if it is gone the dataset root is damaged,
        // and the run says so before it changes anything in ClickHouse.
        foreach (var (view, day, path) in toLoad)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"The batch-view manifest of dataset root {_manifests.Root} names file {day.File} for view {view.Name} day {day.Day:yyyy-MM-dd} "
                    + $"(run {day.RunId}), but {path} does not exist.",
                    path);
            }
        }

        // One call per view: the loader swaps a view's days in batches, with a few ClickHouse statements per batch rather than per day.
        var loadedCount = 0;
        foreach (var group in toLoad.GroupBy(l => l.View.Name, StringComparer.Ordinal))
        {
            progress.Report(new RecomputeProgress("load", loadedCount, toLoad.Count, rowsRead));
            var days = group.OrderBy(l => l.Day.Day).Select(l => new BatchDayFile(l.Day, l.Path)).ToArray();
            await _loader.LoadDaysAsync(group.First().View, days, cancellationToken).ConfigureAwait(false);
            loadedCount += days.Length;
        }

        if (toLoad.Count > 0)
        {
            progress.Report(new RecomputeProgress("load", loadedCount, toLoad.Count, rowsRead));
        }

        return loadedCount;
    }
}
