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
    private readonly Counter<long> _fencedOff;
    private readonly Histogram<double> _flushSeconds;
    private readonly ConcurrentDictionary<(string Source, int Partition), long> _lag = new();
    private readonly ConcurrentDictionary<string, bool> _behind = new(StringComparer.Ordinal);
    private long _maxLag;

    /// <summary>Creates the instruments through <paramref name="meterFactory"/> (or a private meter when null).</summary>
    public ArchiverMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _archived = _meter.CreateCounter<long>("lambda.archiver.events.archived", "{event}", "Valid events stored in the master dataset");
        _invalid = _meter.CreateCounter<long>("lambda.archiver.events.invalid", "{event}", "Messages that are not valid events (not archived)");
        _skippedOffsets = _meter.CreateCounter<long>("lambda.archiver.offsets.skipped", "{offset}", "Offsets the broker no longer held when the archiver reached them");
        _files = _meter.CreateCounter<long>("lambda.archiver.files", "{file}", "Data files written");
        _commits = _meter.CreateCounter<long>("lambda.archiver.commits", "{commit}", "Commit records written");
        _fencedOff = _meter.CreateCounter<long>("lambda.archiver.commits.fenced", "{commit}", "Partition commits not written because another member took the partition (fencing)");
        _flushSeconds = _meter.CreateHistogram<double>("lambda.archiver.flush.duration", "s", "Duration of a flush (all partitions of a source)");
        _meter.CreateObservableGauge(
            "lambda.archiver.lag",
            () => _lag.Select(l => new Measurement<long>(
                l.Value,
                new KeyValuePair<string, object?>("source", l.Key.Source),
                new KeyValuePair<string, object?>("partition", l.Key.Partition.ToString(CultureInfo.InvariantCulture)))),
            "{message}",
            "Messages of the partition after the archiver's committed end (high watermark - committed end), as of its last commit");
        _meter.CreateObservableGauge(
            "lambda.archiver.behind",
            () => _behind.Select(b => new Measurement<int>(b.Value ? 1 : 0, new KeyValuePair<string, object?>("source", b.Key))),
            null,
            "1 while the archiver of the source is further behind on some partition than Batch:Archiver:MaxLag allows (ingest is refused), else 0");
        _meter.CreateObservableGauge(
            "lambda.archiver.lag.limit",
            () => Interlocked.Read(ref _maxLag) is var limit and > 0 ? [new Measurement<long>(limit)] : Array.Empty<Measurement<long>>(),
            "{message}",
            "The lag per partition beyond which the archiver counts as behind (a share of the broker's retention)");
    }

    internal void Archived(string source, long events) => _archived.Add(events, new KeyValuePair<string, object?>("source", source));

    internal void Invalid(string source, string reason) =>
        _invalid.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("reason", reason));

    internal void SkippedOffsets(string source, long offsets) => _skippedOffsets.Add(offsets, new KeyValuePair<string, object?>("source", source));

    internal void FilesWritten(string source, long files) => _files.Add(files, new KeyValuePair<string, object?>("source", source));

    internal void Committed(string source) => _commits.Add(1, new KeyValuePair<string, object?>("source", source));

    internal void FencedOff(string source, long partitions) => _fencedOff.Add(partitions, new KeyValuePair<string, object?>("source", source));

    internal void Flushed(string source, TimeSpan duration) => _flushSeconds.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("source", source));

    internal void Lag(string source, int partition, long messages) => _lag[(source, partition)] = Math.Max(0, messages);

    internal void RemoveLag(string source, int partition) => _lag.TryRemove((source, partition), out _);

    /// <summary>The lag of every partition this process archives, as of each partition's last commit.</summary>
    internal IReadOnlyList<(string Source, int Partition, long Lag)> LagSnapshot() =>
        _lag.Select(l => (l.Key.Source, l.Key.Partition, l.Value)).ToArray();

    internal void Behind(string source, bool behind, long maxLag)
    {
        _behind[source] = behind;
        Interlocked.Exchange(ref _maxLag, maxLag);
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
