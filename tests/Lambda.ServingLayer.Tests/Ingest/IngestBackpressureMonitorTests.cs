using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Batch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Ingest;

public sealed class IngestBackpressureMonitorTests
{
    private static readonly ArchiverLagReport Behind = new("lambda-archiver-orders", "orders", 3, "orders", 20_000, 12_500);

    [Fact]
    public async Task A_poll_closes_the_topic_reported_behind_with_the_configured_report_age_and_logs_the_refusal_once()
    {
        var source = new FakeArchiverLagSource { Reports = [Behind] };
        var gate = new IngestGate();
        var logger = new FakeLogger<IngestBackpressureMonitor>();
        var monitor = Monitor(source, gate, logger);

        await monitor.PollAsync(CancellationToken.None);
        await monitor.PollAsync(CancellationToken.None);

        Assert.True(gate.IsClosed("orders", out var report));
        Assert.Equal(Behind, report);
        Assert.Equal(TimeSpan.FromSeconds(45), source.LastMaxAge);
        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("20000 messages behind on partition 3", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_reports_cannot_be_read_ingest_is_admitted_and_the_failure_logged_once_per_outage()
    {
        var source = new FakeArchiverLagSource { Reports = [Behind] };
        var gate = new IngestGate();
        var logger = new FakeLogger<IngestBackpressureMonitor>();
        var monitor = Monitor(source, gate, logger);
        await monitor.PollAsync(CancellationToken.None);
        Assert.True(gate.IsClosed("orders", out _));

        source.Failure = new NpgsqlException("connection refused");
        await monitor.PollAsync(CancellationToken.None);
        await monitor.PollAsync(CancellationToken.None);

        Assert.False(gate.IsClosed("orders", out _));
        var records = logger.Collector.GetSnapshot();
        Assert.Single(records, r => r.Exception is NpgsqlException);
        Assert.Single(records, r => r.Message.StartsWith("Admitting ingest of orders", StringComparison.Ordinal));

        source.Failure = null;
        await monitor.PollAsync(CancellationToken.None);
        Assert.True(gate.IsClosed("orders", out _));
    }

    private static IngestBackpressureMonitor Monitor(FakeArchiverLagSource source, IngestGate gate, FakeLogger<IngestBackpressureMonitor> logger) =>
        new(source, gate, Options.Create(new IngestBackpressureOptions { MaxReportAge = TimeSpan.FromSeconds(45) }), TimeProvider.System, logger);
}
