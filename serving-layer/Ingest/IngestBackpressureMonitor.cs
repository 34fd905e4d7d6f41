using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.ServingLayer.Ingest;

/// <summary>
/// Every <see cref="IngestBackpressureOptions.PollInterval"/>: reads the archiver's fresh lag reports and updates the
/// <see cref="IngestGate"/>; logs when a topic's ingest starts and stops being refused. Runs only when
/// <see cref="IngestBackpressureOptions.Enabled"/>.
/// </summary>
internal sealed partial class IngestBackpressureMonitor(
    IArchiverLagSource source,
    IngestGate gate,
    IOptions<IngestBackpressureOptions> options,
    TimeProvider time,
    ILogger<IngestBackpressureMonitor> logger) : BackgroundService
{
    private bool _readFailing;

    /// <summary>Reads once and updates the gate.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var before = gate.Closed;
        try
        {
            gate.Update(await source.ReadAsync(options.Value.MaxReportAge, cancellationToken).ConfigureAwait(false));
            _readFailing = false;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            gate.Open();
            if (!_readFailing)
            {
                LogReadFailed(logger, ex);
            }

            _readFailing = true;
        }

        foreach (var (topic, report) in gate.Closed)
        {
            if (!before.ContainsKey(topic))
            {
                LogRefusing(logger, report.Source, topic, report.Lag, report.Partition, report.MaxLag, options.Value.RetryAfterSeconds);
            }
        }

        foreach (var (topic, report) in before)
        {
            if (!gate.Closed.ContainsKey(topic))
            {
                LogAdmitting(logger, report.Source, topic);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            await PollAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusing ingest of {Source} (topic {Topic}) with 503, Retry-After {RetryAfter} s: its archiver is {Lag} messages behind on partition {Partition}, beyond the limit of {MaxLag}")]
    private static partial void LogRefusing(ILogger logger, string source, string topic, long lag, int partition, long maxLag, int retryAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admitting ingest of {Source} (topic {Topic}) again: its archiver caught up")]
    private static partial void LogAdmitting(ILogger logger, string source, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the archiver's lag from PostgreSQL failed; ingest is admitted without back-pressure until it works again")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
