using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Lambda.Shared.Telemetry;

namespace Lambda.ServingLayer.Telemetry;

/// <summary>
/// The serving layer's instruments (meter <see cref="LambdaTelemetryNames.ServingLayer"/>), exported on <c>/metrics</c>
/// and over OTLP by the shared telemetry registration; the README lists their Prometheus names.
/// </summary>
public sealed class ServingLayerMetrics : IDisposable
{
    private static readonly IReadOnlyList<double> SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter;
    private readonly Histogram<double> _queryDuration;
    private readonly Counter<long> _computations;
    private readonly Counter<long> _ingestAccepted;
    private readonly Counter<long> _ingestRejected;
    private readonly Counter<long> _ingestRefused;
    private readonly Counter<long> _alertTransitions;
    private readonly Counter<long> _queriesRefused;
    private readonly ConcurrentDictionary<string, Answers> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _alerts = new(StringComparer.Ordinal);

    /// <summary>Creates the instruments through <paramref name="meterFactory"/>.</summary>
    public ServingLayerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(LambdaTelemetryNames.ServingLayer);
        _queryDuration = _meter.CreateHistogram(
            "lambda.serving.query.duration", "s", "Time to answer a view query (shared answers included), per view and outcome (ok, error).",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _computations = _meter.CreateCounter<long>("lambda.serving.query.computations", null, "Query answers computed from the stores (the rest were shared), per view.");
        _meter.CreateObservableGauge(
            "lambda.serving.query.shared_ratio",
            () => _answers.Select(a => new Measurement<double>(a.Value.SharedRatio, Tag("view", a.Key))),
            null,
            "Since the start: share of a view's answers that reused an identical query's answer instead of computing one.");
        _ingestAccepted = _meter.CreateCounter<long>("lambda.serving.ingest.accepted", null, "Ingested events accepted and acknowledged by Kafka, per source.");
        _ingestRejected = _meter.CreateCounter<long>("lambda.serving.ingest.rejected", null, "Ingested events rejected, per source and reason.");
        _ingestRefused = _meter.CreateCounter<long>(
            "lambda.serving.ingest.refused", null, "Ingest requests answered 503 with Retry-After because the source's archiver is behind, per source.");
        _alertTransitions = _meter.CreateCounter<long>("lambda.serving.alert.transitions", null, "Alert state changes, per rule and new state.");
        _queriesRefused = _meter.CreateCounter<long>(
            "lambda.serving.query.refused", null, "View queries refused by a query limit, per limit (range, groups, timeout, rate, concurrency).");
        _meter.CreateObservableGauge(
            "lambda.serving.alert.firing",
            () => _alerts.Select(a => new Measurement<int>(a.Value ? 1 : 0, Tag("rule", a.Key))),
            null,
            "1 while the rule fires, 0 while it is ok, per rule.");
    }

    /// <summary>Records one answered query (<paramref name="ok"/>: whether it succeeded).</summary>
    public void QueryAnswered(string view, TimeSpan duration, bool ok)
    {
        _queryDuration.Record(duration.TotalSeconds, Tag("view", view), Tag("outcome", ok ? "ok" : "error"));
        if (ok)
        {
            Interlocked.Increment(ref _answers.GetOrAdd(view, _ => new Answers()).Total);
        }
    }

    /// <summary>Records that an answer was computed from the stores rather than shared.</summary>
    public void QueryComputed(string view)
    {
        _computations.Add(1, Tag("view", view));
        Interlocked.Increment(ref _answers.GetOrAdd(view, _ => new Answers()).Computed);
    }

    /// <summary>Records one view query refused by the limit named <paramref name="limit"/> (range, groups, timeout, rate, concurrency).</summary>
    public void QueryRefused(string limit) => _queriesRefused.Add(1, Tag("limit", limit));

    /// <summary>Records one ingest request refused because the source's archiver is behind.</summary>
    public void IngestRefused(string source) => _ingestRefused.Add(1, Tag("source", source));

    /// <summary>Records one ingest request's outcome.</summary>
    public void Ingested(string source, int accepted, IEnumerable<string> rejectionCodes)
    {
        ArgumentNullException.ThrowIfNull(rejectionCodes);
        if (accepted > 0)
        {
            _ingestAccepted.Add(accepted, Tag("source", source));
        }

        foreach (var reason in rejectionCodes)
        {
            _ingestRejected.Add(1, Tag("source", source), Tag("reason", reason));
        }
    }

    /// <summary>Records a rule's current state; <paramref name="changed"/> counts a transition.</summary>
    public void AlertState(string rule, bool firing, bool changed)
    {
        _alerts[rule] = firing;
        if (changed)
        {
            _alertTransitions.Add(1, Tag("rule", rule), Tag("state", firing ? "firing" : "ok"));
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private sealed class Answers
    {
        public long Total;
        public long Computed;

        // A computation started for one request can finish after another request shared it, so clamp at 0.
        public double SharedRatio => Volatile.Read(ref Total) is var total and > 0 ? Math.Max(0, 1 - ((double)Volatile.Read(ref Computed) / total)) : 0;
    }
}
