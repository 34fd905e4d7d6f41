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
    private readonly Counter<long> _alertDeliveries;
    private readonly ConcurrentDictionary<string, int> _alerts = new(StringComparer.Ordinal);
    private int _alertLeader;

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
            () => _alerts.Select(a => new Measurement<int>(a.Value, Tag("rule", a.Key))),
            null,
            "Firing groups per rule (1 while a rule without group_by fires, 0 while it is ok); reported by the leading instance only.");
        _meter.CreateObservableGauge(
            "lambda.serving.alert.leader",
            () => Volatile.Read(ref _alertLeader),
            null,
            "1 while this instance leads alert evaluation (holds the PostgreSQL advisory lock), else 0.");
        _alertDeliveries = _meter.CreateCounter<long>(
            "lambda.serving.alert.deliveries", null, "Webhook notifications finished, per outcome (delivered, failed after every attempt).");
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

    /// <summary>Records how many groups of <paramref name="rule"/> fire (0 or 1 for a rule without groups).</summary>
    public void AlertFiring(string rule, int firingGroups) => _alerts[rule] = firingGroups;

    /// <summary>Keeps the firing gauge to exactly <paramref name="rules"/> (none once this instance stops leading).</summary>
    public void AlertRulesEvaluated(IReadOnlyCollection<string> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        foreach (var gone in _alerts.Keys.Where(k => !rules.Contains(k)).ToArray())
        {
            _alerts.TryRemove(gone, out _);
        }
    }

    /// <summary>Counts one transition of a rule (of one of its groups) to <paramref name="state"/>.</summary>
    public void AlertTransition(string rule, string state) => _alertTransitions.Add(1, Tag("rule", rule), Tag("state", state));

    /// <summary>Counts one finished webhook delivery (<c>delivered</c> or <c>failed</c>).</summary>
    public void AlertDelivery(string outcome) => _alertDeliveries.Add(1, Tag("outcome", outcome));

    /// <summary>Records whether this instance leads alert evaluation.</summary>
    public void AlertLeader(bool leading) => Volatile.Write(ref _alertLeader, leading ? 1 : 0);

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
