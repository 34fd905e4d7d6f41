using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.Pipeline;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Batch;
using Lambda.Shared.Kafka.Epochs;
using Lambda.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Pipeline;

public sealed class PipelineHealthSamplerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

    private readonly FakeKafkaLogReader _logs = new();
    private readonly FakeSpeedProgressReader _speed = new();
    private readonly FakeArchiverLagSource _archiver = new();
    private readonly FakeBatchStatusStore _runs = new();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly FakeLogger<PipelineHealthSampler> _logger = new();
    private readonly PipelineHealthHistory _history = new(Options.Create(new PipelineHealthOptions()));

    [Fact]
    public async Task Speed_lag_is_the_slowest_view_summed_over_partitions_with_epoch_bits_dropped_and_freshness_the_longest_wait_of_a_lagging_view()
    {
        _logs.Logs["orders"] = Logs((0, 0, 1000), (1, 0, 500));

        // revenue_by_country, epoch 1: p0 stored up to 399 -> 1000 - 400 = 600; p1 up to 499 -> 0. Lag 600, flushed 20 s ago.
        _speed.Progress["revenue_by_country"] = new(Positions((0, KafkaPosition.Encode(1, 399)), (1, KafkaPosition.Encode(1, 499))), T0.AddSeconds(-20));

        // orders_by_status, epoch 0: p0 up to 999 -> 0; p1 up to 200 -> 500 - 201 = 299. Lag 299, flushed 50 s ago.
        _speed.Progress["orders_by_status"] = new(Positions((0, 999), (1, 200)), T0.AddSeconds(-50));

        // order_amounts: p0 stored beyond the log end (offset 1500 of epoch 2) -> 0; p1 nothing stored -> 500 - 0 = 500. Lag 500, flushed 5 s ago.
        _speed.Progress["order_amounts"] = new(Positions((0, KafkaPosition.Encode(2, 1500))), T0.AddSeconds(-5));

        // orders_by_amount_band: caught up on both partitions -> 0.
        _speed.Progress["orders_by_amount_band"] = new(Positions((0, 999), (1, 499)), T0.AddSeconds(-1));
        _speed.Progress["revenue_by_region"] = new(Positions((0, 999), (1, 499)), T0.AddSeconds(-1));

        await Sampler().SampleAsync(CancellationToken.None);

        var sample = Assert.Single(_history.SamplesOf("orders"));
        Assert.Equal(T0, sample.Time);
        Assert.Equal(600, sample.SpeedLag);
        Assert.Equal(TimeSpan.FromSeconds(50), sample.Freshness);

        // The first sample has nothing to take a rate against.
        Assert.Null(sample.EventsPerSecond);
    }

    [Fact]
    public async Task Without_lag_freshness_is_zero_and_evicted_events_are_not_lag()
    {
        // Log start 300: the broker no longer holds 0..299, so a view stored up to 99 lags 1000 - 300 = 700, not 900.
        _logs.Logs["orders"] = Logs((0, 300, 1000));
        _speed.Progress["revenue_by_country"] = new(Positions((0, 999)), T0.AddMinutes(-30));
        _speed.Progress["orders_by_status"] = new(Positions((0, 999)), T0.AddMinutes(-30));
        _speed.Progress["order_amounts"] = new(Positions((0, 999)), T0.AddMinutes(-30));
        _speed.Progress["orders_by_amount_band"] = new(Positions((0, 999)), T0.AddMinutes(-30));
        _speed.Progress["revenue_by_region"] = new(Positions((0, 999)), T0.AddMinutes(-30));
        await Sampler().SampleAsync(CancellationToken.None);

        _speed.Progress["order_amounts"] = new(Positions((0, 99)), null);
        _time.Advance(TimeSpan.FromSeconds(15));
        var sampler = Sampler();
        await sampler.SampleAsync(CancellationToken.None);

        var samples = _history.SamplesOf("orders");
        Assert.Equal(0, samples[0].SpeedLag);
        Assert.Equal(TimeSpan.Zero, samples[0].Freshness);
        Assert.Equal(700, samples[1].SpeedLag);

        // A lagging view that never flushed: how long its events waited is not known.
        Assert.Null(samples[1].Freshness);
    }

    [Fact]
    public async Task Events_per_second_is_the_growth_of_the_summed_log_ends_over_the_time_between_samples_and_null_when_the_sum_shrinks()
    {
        var sampler = Sampler();
        _logs.Logs["orders"] = Logs((0, 0, 1000), (1, 0, 500));
        await sampler.SampleAsync(CancellationToken.None);

        // (1300 + 650) - (1000 + 500) = 450 events in 15 s: 30 per second.
        _logs.Logs["orders"] = Logs((0, 0, 1300), (1, 0, 650));
        _time.Advance(TimeSpan.FromSeconds(15));
        await sampler.SampleAsync(CancellationToken.None);

        // A new broker (or offset epoch) starts its logs again: 15 < 1950, no rate.
        _logs.Logs["orders"] = Logs((0, 0, 10), (1, 0, 5));
        _time.Advance(TimeSpan.FromSeconds(15));
        await sampler.SampleAsync(CancellationToken.None);

        // And the rate resumes against the new logs: (40 + 25) - 15 = 50 events in 10 s.
        _logs.Logs["orders"] = Logs((0, 0, 40), (1, 0, 25));
        _time.Advance(TimeSpan.FromSeconds(10));
        await sampler.SampleAsync(CancellationToken.None);

        Assert.Equal([null, 30.0, null, 5.0], _history.SamplesOf("orders").Select(s => s.EventsPerSecond));
    }

    [Fact]
    public async Task Archiver_lag_sums_the_fresh_reports_of_the_topic_and_is_null_for_a_topic_nobody_reports()
    {
        _archiver.Reports =
        [
            new ArchiverLagReport("lambda-archiver", "orders", 0, "orders", 120, 10_000),
            new ArchiverLagReport("lambda-archiver", "orders", 1, "orders", 30, 10_000),
            new ArchiverLagReport("lambda-archiver", "payments", 0, "payments", 7, 10_000),
        ];

        await Sampler().SampleAsync(CancellationToken.None);

        Assert.Equal(150, _history.SamplesOf("orders")[0].ArchiverLag);
        Assert.Equal(7, _history.SamplesOf("payments")[0].ArchiverLag);
        Assert.Null(_history.SamplesOf("page_views")[0].ArchiverLag);

        // The back-pressure monitor's notion of a fresh report.
        Assert.Equal(TimeSpan.FromSeconds(45), _archiver.LastMaxAge);
    }

    [Fact]
    public async Task A_failing_read_is_logged_and_leaves_only_its_series_null_and_the_loop_goes_on()
    {
        var sampler = Sampler();
        _logs.Logs["orders"] = Logs((0, 0, 100));
        _logs.Logs["payments"] = Logs((0, 0, 100));
        _archiver.Reports = [new ArchiverLagReport("lambda-archiver", "orders", 0, "orders", 4, 10_000)];
        await sampler.SampleAsync(CancellationToken.None);

        // The broker fails for orders, ClickHouse for one view of payments, PostgreSQL for the run log.
        _logs.Failing.Add("orders");
        _logs.Logs["payments"] = Logs((0, 0, 250));
        _speed.Failing.Add("payment_latency");
        _time.Advance(TimeSpan.FromSeconds(15));
        await sampler.SampleAsync(CancellationToken.None);

        var orders = _history.SamplesOf("orders")[1];
        Assert.Null(orders.EventsPerSecond);
        Assert.Null(orders.SpeedLag);
        Assert.Null(orders.Freshness);
        Assert.Equal(4, orders.ArchiverLag);
        var payments = _history.SamplesOf("payments")[1];
        Assert.Equal(10.0, payments.EventsPerSecond);
        Assert.Null(payments.SpeedLag);
        Assert.Null(payments.Freshness);
        var warnings = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToArray();
        Assert.Contains(warnings, m => m.Contains("log_end of source orders", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains("speed_lag of source payments", StringComparison.Ordinal));

        // After the outage the rate of orders starts over: no rate spans the gap.
        _logs.Failing.Clear();
        _speed.Failing.Clear();
        _archiver.Failure = new InvalidOperationException("PostgreSQL down");
        _time.Advance(TimeSpan.FromSeconds(15));
        await sampler.SampleAsync(CancellationToken.None);

        orders = _history.SamplesOf("orders")[2];
        Assert.Null(orders.EventsPerSecond);
        Assert.Equal(100, orders.SpeedLag);
        Assert.Null(orders.ArchiverLag);
        Assert.Equal(3, _history.SamplesOf("sensor_readings").Count);
    }

    [Fact]
    public async Task The_newest_batch_run_is_recorded_and_a_failing_run_log_is_marked()
    {
        var run = new BatchRun("run-7", "incremental", null, null, "succeeded", null, T0.AddHours(-3), T0.AddHours(-3).AddMinutes(4), 10, 5, null);
        _runs.Runs.Add(new BatchRun("run-6", "incremental", null, null, "failed", null, T0.AddDays(-1), T0.AddDays(-1).AddMinutes(1), 0, 0, "boom"));
        _runs.Runs.Add(run);

        await Sampler().SampleAsync(CancellationToken.None);

        Assert.Equal(new RecomputeReading(T0, run, Failed: false), _history.Recompute);
        Assert.Equal(1, _runs.LastLimit);
        Assert.Equal(TimeSpan.FromMinutes(176), _history.Recompute!.AgeAt(T0));

        _runs.Failure = new InvalidOperationException("PostgreSQL down");
        _time.Advance(TimeSpan.FromSeconds(15));
        await Sampler().SampleAsync(CancellationToken.None);

        Assert.Equal(new RecomputeReading(T0.AddSeconds(15), null, Failed: true), _history.Recompute);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("last_recompute", StringComparison.Ordinal));
    }

    private PipelineHealthSampler Sampler() => new(
        TestCatalogs.Default,
        _logs,
        _speed,
        _archiver,
        _runs,
        _history,
        Options.Create(new PipelineHealthOptions()),
        Options.Create(new IngestBackpressureOptions { MaxReportAge = TimeSpan.FromSeconds(45) }),
        _time,
        _logger);

    private static Dictionary<int, PartitionLog> Logs(params (int Partition, long Low, long High)[] logs) =>
        logs.ToDictionary(l => l.Partition, l => new PartitionLog(l.Low, l.High));

    private static Dictionary<int, long> Positions(params (int Partition, long Position)[] positions) =>
        positions.ToDictionary(p => p.Partition, p => p.Position);
}
