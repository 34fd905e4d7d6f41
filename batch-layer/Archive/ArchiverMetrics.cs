using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// The archiver's metrics (meter <see cref="MeterName"/>): events archived, invalid events by reason (not
/// archived; the speed layer dead-letters them), offsets the broker no longer had, files, commits and
/// flush durations, and the lag per partition. The batch-layer service exports it through the shared telemetry registration
/// (<c>shared/Telemetry</c>), which subscribes to every <c>Lambda.*</c> meter.
/// </summary>
public sealed class ArchiverMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Lambda.BatchLayer.Archiver";

    private readonly Meter _meter;
    private readonly Counter<long> _archived;
    private readonly Counter<long> _invalid;
    private readonly Counter<long> _skippedOffsets;
    private readonly Counter<long> _files;
    private readonly Counter<long> _commits;
    private readonly Histogram<double> _flushSeconds;
    private readonly ConcurrentDictionary<(string Source, int Partition), long> _lag = new();

    /// <summary>Creates the instruments through <paramref name="meterFactory"/> (or a private meter when null).</summary>
    public ArchiverMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _archived = _meter.CreateCounter<long>("lambda.archiver.events.archived", "{event}", "Valid events stored in the master dataset");
        _invalid = _meter.CreateCounter<long>("lambda.archiver.events.invalid", "{event}", "Messages that are not valid events (not archived)");
        _skippedOffsets = _meter.CreateCounter<long>("lambda.archiver.offsets.skipped", "{offset}", "Offsets the broker no longer held when the archiver reached them");
        _files = _meter.CreateCounter<long>("lambda.archiver.files", "{file}", "Data files written");
        _commits = _meter.CreateCounter<long>("lambda.archiver.commits", "{commit}", "Commit records written");
        _flushSeconds = _meter.CreateHistogram<double>("lambda.archiver.flush.duration", "s", "Duration of a flush (all partitions of a source)");
        _meter.CreateObservableGauge(
            "lambda.archiver.lag",
            () => _lag.Select(l => new Measurement<long>(
                l.Value,
                new KeyValuePair<string, object?>("source", l.Key.Source),
                new KeyValuePair<string, object?>("partition", l.Key.Partition.ToString(CultureInfo.InvariantCulture)))),
            "{message}",
            "Messages of the partition after the archiver's committed end (high watermark - committed end), as of its last commit");
    }

    internal void Archived(string source, long events) => _archived.Add(events, new KeyValuePair<string, object?>("source", source));

    internal void Invalid(string source, string reason) =>
        _invalid.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("reason", reason));

    internal void SkippedOffsets(string source, long offsets) => _skippedOffsets.Add(offsets, new KeyValuePair<string, object?>("source", source));

    internal void FilesWritten(string source, long files) => _files.Add(files, new KeyValuePair<string, object?>("source", source));

    internal void Committed(string source) => _commits.Add(1, new KeyValuePair<string, object?>("source", source));

    internal void Flushed(string source, TimeSpan duration) => _flushSeconds.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("source", source));

    internal void Lag(string source, int partition, long messages) => _lag[(source, partition)] = Math.Max(0, messages);

    internal void RemoveLag(string source, int partition) => _lag.TryRemove((source, partition), out _);

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
