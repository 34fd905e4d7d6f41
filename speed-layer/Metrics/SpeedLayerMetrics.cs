using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Lambda.Shared.Events;
using Lambda.Shared.Telemetry;

namespace Lambda.SpeedLayer.Metrics;

/// <summary>
/// The speed layer's instruments (meter <see cref="LambdaTelemetryNames.SpeedLayer"/>), exported on <c>/metrics</c>
/// and over OTLP by the shared telemetry registration; the README lists their Prometheus names.
/// </summary>
internal sealed class SpeedLayerMetrics : IDisposable
{
    // Flush latencies and freshness run from a millisecond to tens of seconds under back-pressure.
    private static readonly IReadOnlyList<double> SecondsBuckets =
        [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30, 60];

    private readonly Meter _meter;
    private readonly Counter<long> _events;
    private readonly Counter<long> _deadLetters;
    private readonly Histogram<double> _flushLatency;
    private readonly Histogram<double> _insertDuration;
    private readonly Histogram<double> _freshness;
    private readonly Counter<long> _flushes;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _skipped;
    private readonly ConcurrentDictionary<string, double> _eventsPerSecond = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _lag = new();
    private int _paused;
    private int _assigned;

    public SpeedLayerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(LambdaTelemetryNames.SpeedLayer);
        _events = _meter.CreateCounter<long>("lambda.speed.events", null, "Events consumed and processed (accepted or rejected), per source.");
        _deadLetters = _meter.CreateCounter<long>("lambda.speed.dead_letters", null, "Messages rejected by the parser and sent to the dead-letter topic, per source and reason.");
        _flushes = _meter.CreateCounter<long>("lambda.speed.flushes", null, "Flushes stored, per view.");
        _rows = _meter.CreateCounter<long>("lambda.speed.flush_rows", null, "Rows (deltas and markers) stored, per view.");
        _retries = _meter.CreateCounter<long>("lambda.speed.insert_retries", null, "Insert attempts that failed transiently and were retried, per view.");
        _skipped = _meter.CreateCounter<long>(
            "lambda.speed.offsets_skipped",
            null,
            "Offsets the broker no longer held when the speed layer reached them (retention evicted them), per topic: their events reach answers only with the next recompute.");
        _flushLatency = Seconds("lambda.speed.flush_latency", "Time from cutting a view's batch to its insert being acknowledged by ClickHouse (queueing and retries included).");
        _insertDuration = Seconds("lambda.speed.insert_duration", "Duration of one successful ClickHouse insert of a flush.");
        _freshness = Seconds(
            "lambda.speed.freshness",
            "Per flush: from the Kafka timestamp of its oldest record to the insert being acknowledged by ClickHouse (visible to queries), per view.");
        _meter.CreateObservableGauge(
            "lambda.speed.events_per_second",
            () => _eventsPerSecond.Select(e => new Measurement<double>(e.Value, Tag("source", e.Key))),
            null,
            "Events processed per second over the last metrics interval, per source.");
        _meter.CreateObservableGauge(
            "lambda.speed.consumer_lag",
            () => _lag.Select(e => new Measurement<long>(
                e.Value, Tag("topic", e.Key.Topic), Tag("partition", e.Key.Partition.ToString(CultureInfo.InvariantCulture)))),
            null,
            "Messages in the partition after the last one processed (high watermark - position).");
        _meter.CreateObservableGauge("lambda.speed.paused", () => Volatile.Read(ref _paused), null, "1 while consumption is paused because flushes wait for ClickHouse.");
        _meter.CreateObservableGauge("lambda.speed.assigned_partitions", () => Volatile.Read(ref _assigned), null, "Partitions assigned to this instance.");
    }

    public void EventsProcessed(string source, long events, double seconds)
    {
        if (events > 0)
        {
            _events.Add(events, Tag("source", source));
        }

        _eventsPerSecond[source] = seconds > 0 ? events / seconds : 0;
    }

    public void DeadLetter(string source, RejectionReason reason) =>
        _deadLetters.Add(1, Tag("source", source), Tag("reason", reason.ToString()));

    public void Lag(string topic, int partition, long lag) => _lag[(topic, partition)] = lag;

    public void OffsetsSkipped(string topic, long count) => _skipped.Add(count, Tag("topic", topic));

    public void RemoveLag(string topic, int partition) => _lag.TryRemove((topic, partition), out _);

    public void Flushed(string view, int rows, TimeSpan latency, TimeSpan insertDuration)
    {
        var tag = Tag("view", view);
        _flushes.Add(1, tag);
        _rows.Add(rows, tag);
        _flushLatency.Record(latency.TotalSeconds, tag);
        _insertDuration.Record(insertDuration.TotalSeconds, tag);
    }

    /// <summary>Records how long the oldest record of a stored flush took from Kafka to ClickHouse.</summary>
    public void Visible(string view, TimeSpan sinceOldestRecord) =>
        _freshness.Record(Math.Max(0, sinceOldestRecord.TotalSeconds), Tag("view", view));

    public void Retried(string view) => _retries.Add(1, Tag("view", view));

    public void Paused(bool paused) => Volatile.Write(ref _paused, paused ? 1 : 0);

    public void Assigned(int partitions) => Volatile.Write(ref _assigned, partitions);

    public void Dispose() => _meter.Dispose();

    private Histogram<double> Seconds(string name, string description) =>
        _meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
