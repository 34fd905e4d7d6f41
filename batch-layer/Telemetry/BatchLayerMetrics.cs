using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Lambda.Shared.Telemetry;

namespace Lambda.BatchLayer.Telemetry;

/// <summary>
/// The batch layer's instruments beside the archiver's (meter <see cref="LambdaTelemetryNames.BatchLayer"/>): recompute
/// runs, compaction, the master dataset's size and the drift audit. Exported on <c>/metrics</c> and over OTLP by the shared telemetry
/// registration; the README lists their Prometheus names.
/// </summary>
public sealed class BatchLayerMetrics : IDisposable
{
    private static readonly IReadOnlyList<double> RunSecondsBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly Histogram<double> _recomputeDuration;
    private readonly Counter<long> _recomputeRows;
    private readonly Counter<long> _compactions;
    private readonly Counter<long> _compactionFilesRemoved;
    private readonly Counter<long> _compactionRows;
    private readonly Histogram<double> _compactionDuration;
    private readonly ConcurrentDictionary<string, (long Files, long Bytes)> _dataset = new(StringComparer.Ordinal);
    private readonly Counter<long> _driftAudits;
    private readonly ConcurrentDictionary<string, int> _driftDifferences = new(StringComparer.Ordinal);
    private readonly Lock _lastRunLock = new();
    private string? _lastState;
    private DateTimeOffset? _lastSuccess;

    /// <summary>Creates the instruments through <paramref name="meterFactory"/>.</summary>
    public BatchLayerMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _meter = meterFactory.Create(LambdaTelemetryNames.BatchLayer);
        _recomputeDuration = _meter.CreateHistogram(
            "lambda.batch.recompute.duration", "s", "Duration of a recompute run (load into ClickHouse included), per final state.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = RunSecondsBuckets });
        _recomputeRows = _meter.CreateCounter<long>("lambda.batch.recompute.rows", null, "Rows recomputes read from the master dataset (kind=read) and wrote as batch-view rows (kind=written).");
        _meter.CreateObservableGauge(
            "lambda.batch.recompute.last_state",
            ObserveLastState,
            null,
            "1 for the final state of the last recompute run of this process (succeeded, nothing_to_do, failed, cancelled).");
        _meter.CreateObservableGauge(
            "lambda.batch.recompute.last_success_age",
            ObserveLastSuccessAge,
            "s",
            "Time since the last recompute run that succeeded (or had nothing to do), as of the scrape.");
        _compactions = _meter.CreateCounter<long>("lambda.batch.compaction.records", null, "Commit records replaced by compaction records, per source.");
        _compactionFilesRemoved = _meter.CreateCounter<long>("lambda.batch.compaction.files_removed", null, "Data files the master dataset lost through compaction, per source.");
        _compactionRows = _meter.CreateCounter<long>("lambda.batch.compaction.rows", null, "Rows rewritten into merged files, per source.");
        _compactionDuration = _meter.CreateHistogram(
            "lambda.batch.compaction.duration", "s", "Duration of compacting one source.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = RunSecondsBuckets });
        _meter.CreateObservableGauge(
            "lambda.batch.dataset.files",
            () => _dataset.Select(d => new Measurement<long>(d.Value.Files, Tag("source", d.Key))),
            null,
            "Data files the master dataset's committed snapshot names, per source.");
        _meter.CreateObservableGauge(
            "lambda.batch.dataset.size",
            () => _dataset.Select(d => new Measurement<long>(d.Value.Bytes, Tag("source", d.Key))),
            "By",
            "Bytes of the data files the master dataset's committed snapshot names, per source.");
        _driftAudits = _meter.CreateCounter<long>("lambda.drift.audits", null, "Drift audits of one view after a recompute, per view and outcome (clean, drift, failed).");
        _meter.CreateObservableGauge(
            "lambda.drift.differences",
            () => _driftDifferences.Select(d => new Measurement<int>(d.Value, Tag("view", d.Key))),
            null,
            "Differences the last completed drift audit of each view found between its speed deltas and the batch layer (expected 0).");
    }

    /// <summary>Records the drift audit of one view; a failed audit leaves the view's last difference count as it was.</summary>
    public void DriftAudited(string view, string outcome, int differences)
    {
        _driftAudits.Add(1, Tag("view", view), Tag("outcome", outcome));
        if (outcome != Lambda.Shared.Drift.DriftOutcomes.Failed)
        {
            _driftDifferences[view] = differences;
        }
    }

    /// <summary>Records a finished recompute run.</summary>
    public void RecomputeFinished(string state, TimeSpan duration, long rowsRead, long rowsWritten, bool succeeded)
    {
        _recomputeDuration.Record(duration.TotalSeconds, Tag("state", state));
        _recomputeRows.Add(rowsRead, Tag("kind", "read"));
        _recomputeRows.Add(rowsWritten, Tag("kind", "written"));
        lock (_lastRunLock)
        {
            _lastState = state;
            if (succeeded)
            {
                _lastSuccess = _time.GetUtcNow();
            }
        }
    }

    /// <summary>Records the compaction of one source.</summary>
    public void Compacted(string source, int recordsSuperseded, int filesBefore, int filesAfter, long rowsWritten, TimeSpan duration)
    {
        var tag = Tag("source", source);
        _compactions.Add(recordsSuperseded, tag);
        _compactionFilesRemoved.Add(Math.Max(0, filesBefore - filesAfter), tag);
        _compactionRows.Add(rowsWritten, tag);
        _compactionDuration.Record(duration.TotalSeconds, tag);
    }

    /// <summary>Records the size of a source's committed master dataset.</summary>
    public void DatasetSize(string source, long files, long bytes) => _dataset[source] = (files, bytes);

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> ObserveLastState()
    {
        lock (_lastRunLock)
        {
            return _lastState is null ? [] : [new Measurement<int>(1, Tag("state", _lastState))];
        }
    }

    private IEnumerable<Measurement<double>> ObserveLastSuccessAge()
    {
        lock (_lastRunLock)
        {
            return _lastSuccess is { } at ? [new Measurement<double>((_time.GetUtcNow() - at).TotalSeconds)] : [];
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
