using System.Globalization;
using Lambda.Shared.Events;
using Prometheus;

namespace Lambda.SpeedLayer.Metrics;

/// <summary>The speed layer's Prometheus metrics (served on <c>/metrics</c>).</summary>
internal sealed class SpeedLayerMetrics
{
    private readonly Counter _events;
    private readonly Gauge _eventsPerSecond;
    private readonly Counter _deadLetters;
    private readonly Gauge _lag;
    private readonly Histogram _flushLatency;
    private readonly Histogram _insertDuration;
    private readonly Counter _flushes;
    private readonly Counter _rows;
    private readonly Counter _retries;
    private readonly Gauge _paused;
    private readonly Gauge _assigned;

    public SpeedLayerMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _events = factory.CreateCounter(
            "lambda_speed_events_total", "Events consumed and processed (accepted or rejected), per source.", "source");
        _eventsPerSecond = factory.CreateGauge(
            "lambda_speed_events_per_second", "Events processed per second over the last metrics interval, per source.", "source");
        _deadLetters = factory.CreateCounter(
            "lambda_speed_dead_letters_total", "Messages rejected by the parser and sent to the dead-letter topic, per source and reason.", "source", "reason");
        _lag = factory.CreateGauge(
            "lambda_speed_consumer_lag", "Messages in the partition after the last one processed (high watermark - position).", "topic", "partition");
        _flushLatency = factory.CreateHistogram(
            "lambda_speed_flush_latency_seconds",
            "Time from cutting a view's batch to its insert being acknowledged by ClickHouse (queueing and retries included).",
            new HistogramConfiguration { LabelNames = ["view"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        _insertDuration = factory.CreateHistogram(
            "lambda_speed_insert_duration_seconds",
            "Duration of one successful ClickHouse insert of a flush.",
            new HistogramConfiguration { LabelNames = ["view"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        _flushes = factory.CreateCounter("lambda_speed_flushes_total", "Flushes stored, per view.", "view");
        _rows = factory.CreateCounter("lambda_speed_flush_rows_total", "Rows (deltas and markers) stored, per view.", "view");
        _retries = factory.CreateCounter("lambda_speed_insert_retries_total", "Insert attempts that failed transiently and were retried, per view.", "view");
        _paused = factory.CreateGauge("lambda_speed_paused", "1 while consumption is paused because flushes wait for ClickHouse.");
        _assigned = factory.CreateGauge("lambda_speed_assigned_partitions", "Partitions assigned to this instance.");
    }

    public void EventsProcessed(string source, long events, double seconds)
    {
        if (events > 0)
        {
            _events.WithLabels(source).Inc(events);
        }

        _eventsPerSecond.WithLabels(source).Set(seconds > 0 ? events / seconds : 0);
    }

    public void DeadLetter(string source, RejectionReason reason) => _deadLetters.WithLabels(source, reason.ToString()).Inc();

    public void Lag(string topic, int partition, long lag) =>
        _lag.WithLabels(topic, partition.ToString(CultureInfo.InvariantCulture)).Set(lag);

    public void RemoveLag(string topic, int partition) =>
        _lag.RemoveLabelled(topic, partition.ToString(CultureInfo.InvariantCulture));

    public void Flushed(string view, int rows, TimeSpan latency, TimeSpan insertDuration)
    {
        _flushes.WithLabels(view).Inc();
        _rows.WithLabels(view).Inc(rows);
        _flushLatency.WithLabels(view).Observe(latency.TotalSeconds);
        _insertDuration.WithLabels(view).Observe(insertDuration.TotalSeconds);
    }

    public void Retried(string view) => _retries.WithLabels(view).Inc();

    public void Paused(bool paused) => _paused.Set(paused ? 1 : 0);

    public void Assigned(int partitions) => _assigned.Set(partitions);
}
