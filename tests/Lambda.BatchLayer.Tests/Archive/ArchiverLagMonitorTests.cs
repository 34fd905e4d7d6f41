using System.Diagnostics.Metrics;
using Lambda.BatchLayer.Archive;
using Lambda.BatchLayer.Status;
using Lambda.Shared.Batch;
using Lambda.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.BatchLayer.Tests.Archive;

public sealed class ArchiverLagMonitorTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ArchiverMetrics _metrics;
    private readonly ArchiverLagState _state = new();
    private readonly RecordingStore _store = new();
    private readonly FakeLogger<ArchiverLagMonitor> _logger = new();
    private readonly ArchiverOptions _options = new()
    {
        ConsumerGroupPrefix = "arch",
        Sources = ["orders", "payments"],
        RetainedMessagesPerPartition = 1_000,
        MaxLagShareOfRetention = 0.25,
    };

    public ArchiverLagMonitorTests() => _metrics = new ArchiverMetrics(_services.GetRequiredService<IMeterFactory>());

    public void Dispose()
    {
        _metrics.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task Falling_behind_degrades_health_sets_the_metric_warns_once_and_reports_every_partition_with_the_limit()
    {
        using var behind = new MetricCollector<int>(_services.GetRequiredService<IMeterFactory>(), ArchiverMetrics.MeterName, "lambda.archiver.behind");
        var monitor = Monitor();
        _metrics.Lag("orders", 0, 10);
        _metrics.Lag("orders", 1, 251);
        _metrics.Lag("payments", 4, 250);

        await monitor.AssessAsync(CancellationToken.None);
        await monitor.AssessAsync(CancellationToken.None);

        var health = await new ArchiverLagHealthCheck(_state).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("source orders: 1 of 2 partitions more than 250 messages behind (partition 1: 251)", health.Description, StringComparison.Ordinal);
        behind.RecordObservableInstruments();
        Assert.Equal(1, behind.GetMeasurementSnapshot().Single(m => Equals(m.Tags["source"], "orders")).Value);
        Assert.Equal(0, behind.GetMeasurementSnapshot().Single(m => Equals(m.Tags["source"], "payments")).Value);
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("Archiver orders is 251 messages behind on partition 1, beyond the limit of 250", warning.Message, StringComparison.Ordinal);
        Assert.Equal(
            [
                new ArchiverLagReport("arch-orders", "orders", 0, "orders", 10, 250),
                new ArchiverLagReport("arch-orders", "orders", 1, "orders", 251, 250),
                new ArchiverLagReport("arch-payments", "payments", 4, "payments", 250, 250),
            ],
            _store.Last.OrderBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.Partition));
    }

    [Fact]
    public async Task Catching_up_makes_health_healthy_again_and_is_logged()
    {
        var monitor = Monitor();
        _metrics.Lag("orders", 1, 900);
        await monitor.AssessAsync(CancellationToken.None);

        _metrics.Lag("orders", 1, 0);
        await monitor.AssessAsync(CancellationToken.None);

        var health = await new ArchiverLagHealthCheck(_state).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Message.StartsWith("Archiver orders caught up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_report_keeps_the_health_verdict_and_is_logged_once_per_outage()
    {
        var monitor = Monitor();
        _metrics.Lag("orders", 0, 900);
        _store.Failure = new NpgsqlException("down");

        await monitor.AssessAsync(CancellationToken.None);
        await monitor.AssessAsync(CancellationToken.None);

        Assert.True(_state.Current!.AnyBehind);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Exception is NpgsqlException);
    }

    private ArchiverLagMonitor Monitor() =>
        new(TestCatalogs.Default, Options.Create(_options), _metrics, _state, _store, TimeProvider.System, _logger);

    private sealed class RecordingStore : IArchiverLagStore
    {
        public IReadOnlyList<ArchiverLagReport> Last { get; private set; } = [];

        public Exception? Failure { get; set; }

        public Task ReportAsync(IReadOnlyList<ArchiverLagReport> reports, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                return Task.FromException(Failure);
            }

            Last = reports;
            return Task.CompletedTask;
        }
    }
}
