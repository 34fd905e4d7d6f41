using System.Diagnostics;
using Lambda.ServingLayer.Telemetry;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Answers view queries by merging the latest published batch view with the speed deltas above its offset
/// watermark: <c>result = batch (offsets &lt; S_p) ⊕ speed (first_offset &gt;= S_p)</c>, per partition p.
/// </summary>
/// <remarks>
/// The manifest is read once per query (one <see cref="IBatchViewSnapshot"/>), so a query never mixes two publishes, and the same S_p decides both sides. The design is in <c>docs/design-notes.md</c>, "Watermark merge: exact answers".
/// </remarks>
public sealed partial class ViewQueryEngine(
    IBatchViewStore batchStore,
    ISpeedViewReader speedReader,
    ILogger<ViewQueryEngine> logger,
    QueryResultSharing? sharing = null,
    TimeProvider? timeProvider = null,
    ServingLayerMetrics? metrics = null,
    ISpeedCoverageReader? coverageReader = null)
{
    private readonly QueryResultSharing _sharing = sharing ?? QueryResultSharing.None;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    private readonly ViewQueryResultCache? _cache = sharing is { Refresh.Ticks: > 0 }
        ? new ViewQueryResultCache(sharing.Refresh, sharing.MaxAge, timeProvider ?? TimeProvider.System)
        : null;

    /// <summary>Runs <paramref name="query"/> (or shares a recent enough answer of an identical query).</summary>
    public async Task<ViewQueryResult> ExecuteAsync(ViewQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var started = _time.GetTimestamp();
        var ok = false;
        try
        {
            var result = await (_cache is null ? ComputeAsync(query, null, cancellationToken) : _cache.GetOrComputeAsync(query, ComputeAsync, cancellationToken))
                .ConfigureAwait(false);
            ok = true;
            return result;
        }
        finally
        {
            metrics?.QueryAnswered(query.View.Name, _time.GetElapsedTime(started), ok);
        }
    }

    /// <summary>
    /// The answer to <paramref name="query"/>: from scratch, or, when <paramref name="previous"/> (an earlier answer
    /// to the same query) merged the same batch view and is younger than the rebase interval, that answer plus the
    /// speed flushes stored since. Both give the same rows: the flushes of a partition are merged exactly once,
    /// either way, and from the same S_p.
    /// </summary>
    private async Task<ViewQueryResult> ComputeAsync(ViewQuery query, ViewQueryResult? previous, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var view = query.View;
        metrics?.QueryComputed(view.Name);
        var snapshot = await batchStore.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var watermark = CurrentWatermark(snapshot, view);
        var partitions = watermark?.Partitions ?? ViewWatermark.NoOffsets;
        var basis = previous?.Basis is { } b && previous.Watermark.HoldsSameBatchAs(watermark) && _time.GetElapsedTime(b.RebasedAt, started) < _sharing.Rebase ? b : null;

        // Both sides use the watermark of this one snapshot; the speed read runs while the batch files are read.
        var accumulator = basis?.Accumulator.Fork() ?? new ResultAccumulator(query);
        var rollUpTo = RollUpGranularity(query);
        var from = basis is null ? partitions : previous!.Watermark.Speed;
        var speedTask = speedReader.ReadAsync(view, query.Selection, from, rollUpTo, cancellationToken);
        var batchTask = watermark is null || basis is not null ? Task.FromResult(0L) : ReadBatchAsync(snapshot, query, rollUpTo, accumulator, cancellationToken);
        await Task.WhenAll(speedTask, batchTask).ConfigureAwait(false);
        var batchGroups = await batchTask.ConfigureAwait(false);
        var speed = await speedTask.ConfigureAwait(false);
        foreach (var group in speed.Groups)
        {
            accumulator.Add(group);
        }

        var rows = accumulator.ToRows(query.Limit, out var rowCount);

        var next = from.ToDictionary(f => f.Key, f => f.Value);
        foreach (var (partition, offset) in speed.NextOffsets)
        {
            next[partition] = Math.Max(offset, next.GetValueOrDefault(partition));
        }

        var coverage = coverageReader is not null && ViewCoverage.NeedsSpeedFirstOffsets(watermark?.Partitions, next.Keys)
            ? ViewCoverage.Of(watermark?.Partitions, await coverageReader.ReadFirstOffsetsAsync(view, cancellationToken).ConfigureAwait(false))
            : ViewCoverage.Of(watermark?.Partitions, ViewWatermark.NoOffsets);
        LogQuery(logger, view.Name, query.Range.ToString(), query.Window is { } w ? $"{query.Granularity.ToName()} window {w}" : query.Granularity.ToName(), basis is null ? "merged" : "refreshed", watermark?.RunId, batchGroups,
            speed.Groups.Count, rows.Count, _time.GetElapsedTime(started).TotalMilliseconds);
        return new ViewQueryResult(query, rows, new ViewWatermark(watermark?.RunId, watermark?.PublishedAt, view.DefinitionHash, partitions, next))
        {
            GroupCount = accumulator.CountGroups(),
            GroupsComputed = accumulator.GroupsMerged,
            Coverage = coverage,
            // Kept only when the answer holds every row: then the basis costs no memory the answer does not hold anyway.
            Basis = rowCount <= query.Limit ? new ResultBasis(accumulator, basis?.RebasedAt ?? started) : null,
        };
    }

    /// <summary>
    /// The coarsest time granularity the result needs that the range is aligned to: groups rolled up that far fold
    /// into the same rows as the view's own buckets would.
    /// </summary>
    private static Granularity RollUpGranularity(ViewQuery query)
    {
        var rollUpTo = query.Granularity.ToTimeGranularityOrNull() ?? Granularity.Day;
        while (rollUpTo != query.View.Granularity && !query.Selection.Range.IsAlignedTo(rollUpTo))
        {
            rollUpTo = rollUpTo == Granularity.Day ? Granularity.Hour : Granularity.Minute;
        }

        return rollUpTo;
    }

    private static async Task<long> ReadBatchAsync(
        IBatchViewSnapshot snapshot, ViewQuery query, Granularity rollUpTo, ResultAccumulator accumulator, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var group in snapshot.ReadGroupsAsync(query.View, query.Selection, rollUpTo, cancellationToken).ConfigureAwait(false))
        {
            accumulator.Add(group);
            count++;
        }

        return count;
    }

    /// <summary>The batch view to merge, or null; the one place a published batch view's definition is checked against the catalog's.</summary>
    private ViewWatermark? CurrentWatermark(IBatchViewSnapshot snapshot, ViewDefinition view)
    {
        var watermark = snapshot.GetWatermark(view);
        if (watermark is not null && !string.Equals(watermark.DefinitionHash, view.DefinitionHash, StringComparison.Ordinal))
        {
            LogStaleBatchView(logger, view.Name, watermark.RunId, watermark.DefinitionHash, view.DefinitionHash);
            return null;
        }

        return watermark;
    }

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Query {View} {Range} per {Granularity} {How}: batch run {RunId} gave {BatchGroups} groups, speed {SpeedGroups}; {Rows} rows in {ElapsedMs:F1} ms")]
    private static partial void LogQuery(
        ILogger logger, string view, string range, string granularity, string how, string? runId, long batchGroups, int speedGroups, int rows, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Batch view {View} of run {RunId} was computed for definition {BatchHash}, the catalog's is {CurrentHash}: serving speed deltas only until a recompute publishes the new definition")]
    private static partial void LogStaleBatchView(ILogger logger, string view, string? runId, string batchHash, string currentHash);
}
