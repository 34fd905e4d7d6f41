using System.Diagnostics;
using System.Globalization;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.SpeedTables;
using Lambda.BatchLayer.Telemetry;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Drift;
using Lambda.Shared.Lookups;
using Lambda.Shared.SpeedViews;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Drift;

/// <summary>
/// The drift audit (docs/design-notes.md, "Drift audit"): after a publish, for every view whose watermarks the run moved,
/// the speed deltas of the offsets between the previous and the new watermark of each partition are compared with the
/// batch kernel over the archived events of exactly those offsets (<see cref="DriftComparer"/>), and the result is stored
/// (<see cref="IDriftAuditStore"/>) and counted (<see cref="BatchLayerMetrics"/>).
/// </summary>
/// <remarks>
/// The lower end of a partition's range is the previous published watermark of the same definition; without one (the
/// view's first publish, or a changed definition, whose speed table is new) it is where the view's speed deltas start,
/// since nothing of that table was ever dropped. The engine calls the audit before it drops covered speed deltas, and
/// retention only drops deltas below the watermarks of the manifest current when the run started, so the audited deltas
/// are all still there. A failure of one view is logged and stored as outcome <c>failed</c>; the others go on.
/// </remarks>
public sealed partial class DriftAuditor : IPublishedRunAuditor
{
    private readonly LambdaCatalog _catalog;
    private readonly ISpeedTableMaintenance _speed;
    private readonly IDriftAuditStore _store;
    private readonly DriftOptions _options;
    private readonly string _root;
    private readonly IMasterCommitLogs _datasets;
    private readonly TimeProvider _time;
    private readonly ILogger<DriftAuditor> _logger;
    private readonly BatchLayerMetrics? _metrics;
    private readonly ILookupReader? _lookups;

    /// <summary>Creates the auditor; archived events come from <paramref name="datasets"/> (without it, the commit logs under the dataset root).</summary>
    public DriftAuditor(
        LambdaCatalog catalog,
        ISpeedTableMaintenance speed,
        IDriftAuditStore store,
        IOptions<DriftOptions> options,
        IOptions<BatchStorageOptions> storage,
        TimeProvider time,
        ILogger<DriftAuditor> logger,
        BatchLayerMetrics? metrics = null,
        ILookupReader? lookups = null,
        IMasterCommitLogs? datasets = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _speed = speed ?? throw new ArgumentNullException(nameof(speed));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options.Value;
        _root = storage.Value.ResolveRoot();
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics;
        _lookups = lookups;
        _datasets = datasets ?? new LocalCommitLogs(_root);
    }

    /// <inheritdoc/>
    public async Task AuditAsync(string runId, BatchManifest? previous, BatchManifest published)
    {
        ArgumentNullException.ThrowIfNull(published);
        if (!_options.Enabled)
        {
            return;
        }

        // Not cancellable: the run's publish already happened; the work is bounded by one batch interval of events.
        var cancellationToken = CancellationToken.None;
        var audits = new List<PendingAudit>();
        foreach (var entry in published.Views.Values.Where(e => e.RunId == runId).OrderBy(e => e.View, StringComparer.Ordinal))
        {
            if (!_catalog.TryGetView(entry.View, out var view) || !string.Equals(view.DefinitionHash, entry.DefinitionHash, StringComparison.Ordinal))
            {
                continue;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                var ranges = await RangesAsync(view, previous?.FindView(view.Name), entry, cancellationToken).ConfigureAwait(false);
                if (ranges.Count == 0)
                {
                    LogNothingToAudit(_logger, runId, view.Name);
                    continue;
                }

                audits.Add(new PendingAudit(view, entry, ranges, clock, null));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                audits.Add(new PendingAudit(view, entry, new Dictionary<int, SpeedOffsetRange>(), clock, ex));
            }
        }

        // The views of one source over the same offset ranges (all of them, when the run moved their watermarks together)
        // share one read of the archived events, the costly part: the cost is the archived rows once, not once per view.
        foreach (var group in audits.GroupBy(a => a.Error is null ? ShareKey(a.View.Source.Name, a.Ranges) : "failed " + a.View.Name, StringComparer.Ordinal))
        {
            var members = group.ToList();
            var failure = members[0].Error;
            (IReadOnlyList<IReadOnlyList<ViewGroup>> Groups, long Events) archived = ([], 0);
            if (failure is null)
            {
                try
                {
                    var lookups = await LookupsOfAsync(runId, members.Select(m => m.Current), cancellationToken).ConfigureAwait(false);
                    var snapshot = await _datasets.Open(members[0].View.Source.Name).LoadSnapshotAsync(cancellationToken).ConfigureAwait(false);
                    archived = await ArchivedRangeAggregation.AggregateAsync(snapshot, members.Select(m => m.View).ToArray(), members[0].Ranges, lookups, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failure = ex;
                }
            }

            for (var i = 0; i < members.Count; i++)
            {
                await AuditViewAsync(runId, members[i], failure is null ? archived.Groups[i] : null, archived.Events, failure, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Compares one view's speed deltas with its <paramref name="batchGroups"/> and stores the audit; never throws (a
    /// failure, <paramref name="failure"/> or its own, is logged, counted and stored as outcome failed when the store allows).
    /// </summary>
    private async Task AuditViewAsync(
        string runId, PendingAudit pending, IReadOnlyList<ViewGroup>? batchGroups, long events, Exception? failure, CancellationToken cancellationToken)
    {
        var (view, current, ranges, clock, _) = pending;
        DriftViewAudit audit;
        try
        {
            if (failure is not null || batchGroups is null)
            {
                throw failure ?? new InvalidOperationException("no batch groups to compare with");
            }

            var speedGroups = await _speed.ReadDeltasAsync(view, ranges, cancellationToken).ConfigureAwait(false);
            var differences = DriftComparer.Compare(view, speedGroups, batchGroups);
            audit = new DriftViewAudit(
                Guid.CreateVersion7(), runId, view.Name, view.DefinitionHash, ranges,
                differences.Count == 0 ? DriftOutcomes.Clean : DriftOutcomes.Drift,
                differences.Count, speedGroups.Count, batchGroups.Count,
                DriftViewAudit.ReferenceVersionOf(current.Lookups),
                Error: null, _time.GetUtcNow(), differences.Take(_options.MaxStoredDifferences).ToArray());
            if (differences.Count == 0)
            {
                LogClean(_logger, runId, view.Name, ranges.Count, events, speedGroups.Count, clock.ElapsedMilliseconds);
            }
            else
            {
                var first = differences[0];
                LogDrift(_logger, runId, view.Name, differences.Count, first.Bucket, string.Join(", ", first.Group.Select(g => $"{g.Key}={g.Value}")), first.Measure, first.SpeedValue, first.BatchValue);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The audit must never fail the run: record that it could not say anything, with the details in the log only.
            LogFailed(_logger, ex, runId, view.Name);
            audit = new DriftViewAudit(
                Guid.CreateVersion7(), runId, view.Name, view.DefinitionHash, ranges, DriftOutcomes.Failed, 0, 0, 0, null,
                $"the audit failed ({ex.GetType().Name}); the batch layer's log has the details", _time.GetUtcNow(), []);
        }

        _metrics?.DriftAudited(view.Name, audit.Outcome, audit.DifferenceCount);
        try
        {
            await _store.SaveAsync(audit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSaveFailed(_logger, ex, runId, view.Name, audit.Outcome, audit.DifferenceCount);
        }
    }

    private static string ShareKey(string source, IReadOnlyDictionary<int, SpeedOffsetRange> ranges) =>
        source + " " + string.Join(";", ranges.OrderBy(r => r.Key).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key}:{r.Value.From}-{r.Value.To}")));

    // The versions the published views were computed with (one set per run): the speed deltas are compared with what the
    // batch layer served. A view that joins no lookup is unaffected by the others' tables.
    private async Task<LookupSnapshot> LookupsOfAsync(string runId, IEnumerable<BatchViewEntry> entries, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            foreach (var (name, version) in entry.Lookups ?? new Dictionary<string, long>())
            {
                if (versions.TryGetValue(name, out var other) && other != version)
                {
                    throw new InvalidDataException($"the views of run {runId} were computed with versions {other} and {version} of lookup '{name}'");
                }

                versions[name] = version;
            }
        }

        if (!versions.Values.Any(v => v > 0))
        {
            return LookupSnapshot.Empty;
        }

        if (_lookups is null)
        {
            throw new InvalidOperationException($"run {runId} joins lookups ({string.Join(", ", versions.Keys)}) but the drift audit has no lookup store");
        }

        return await LookupSnapshots.ReadVersionsAsync(_lookups, _catalog, versions, $"run {runId}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyDictionary<int, SpeedOffsetRange>> RangesAsync(
        ViewDefinition view, BatchViewEntry? previous, BatchViewEntry current, CancellationToken cancellationToken)
    {
        var sameDefinition = previous is not null && string.Equals(previous.DefinitionHash, view.DefinitionHash, StringComparison.Ordinal) ? previous : null;
        var starts = sameDefinition is null ? await _speed.GetFirstOffsetsAsync(view, cancellationToken).ConfigureAwait(false) : null;
        var ranges = new SortedDictionary<int, SpeedOffsetRange>();
        foreach (var (partition, to) in current.Watermarks)
        {
            long from;
            if (sameDefinition is not null)
            {
                from = sameDefinition.GetWatermark(partition);
            }
            else if (starts!.TryGetValue(partition, out var start))
            {
                from = start;
            }
            else
            {
                continue;
            }

            if (to > from)
            {
                ranges[partition] = new SpeedOffsetRange(from, to);
            }
        }

        return ranges;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Drift audit of run {RunId}: view {View} has no moved watermark; nothing to compare")]
    private static partial void LogNothingToAudit(ILogger logger, string runId, string view);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drift audit of run {RunId}: view {View} clean over {Partitions} partitions ({Events} archived events, {Groups} speed groups) in {Elapsed} ms")]
    private static partial void LogClean(ILogger logger, string runId, string view, int partitions, long events, int groups, long elapsed);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Drift audit of run {RunId}: view {View} has {Differences} differences between its speed deltas and the batch layer; the first: bucket {Bucket} group [{Group}] measure {Measure}: speed {SpeedValue}, batch {BatchValue}")]
    private static partial void LogDrift(ILogger logger, string runId, string view, int differences, DateTimeOffset bucket, string group, string measure, string speedValue, string batchValue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Drift audit of run {RunId}: auditing view {View} failed; the run's publish stands")]
    private static partial void LogFailed(ILogger logger, Exception exception, string runId, string view);

    [LoggerMessage(Level = LogLevel.Error, Message = "Drift audit of run {RunId}: storing the audit of view {View} ({Outcome}, {Differences} differences) failed")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string runId, string view, string outcome, int differences);
}
