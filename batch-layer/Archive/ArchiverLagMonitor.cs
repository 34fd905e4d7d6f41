using Lambda.BatchLayer.Status;
using Lambda.Shared.Batch;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// Every <see cref="ArchiverOptions.LagReportInterval"/>: judges the archiver's lag (<see cref="ArchiverMetrics"/>, per
/// partition as of its last commit) against <see cref="ArchiverOptions.MaxLag"/>, keeps the verdict for the health check,
/// sets <c>lambda_archiver_behind</c>, logs a warning when a source falls behind (and when it caught up), and reports the
/// lag of the partitions this process archives to PostgreSQL, where the serving layer reads it.
/// </summary>
internal sealed partial class ArchiverLagMonitor(
    LambdaCatalog catalog,
    IOptions<ArchiverOptions> options,
    ArchiverMetrics metrics,
    ArchiverLagState state,
    IArchiverLagStore store,
    TimeProvider time,
    ILogger<ArchiverLagMonitor> logger) : BackgroundService
{
    private readonly Dictionary<string, bool> _behind = new(StringComparer.Ordinal);
    private bool _reportFailing;

    /// <summary>Judges and reports once.</summary>
    public async Task AssessAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var sources = ArchiverService.ResolveSources(catalog, settings);
        var lags = metrics.LagSnapshot();
        var assessment = ArchiverLagAssessment.Assess(lags, sources.Select(s => s.Name), settings.MaxLag);
        state.Current = assessment;
        foreach (var source in assessment.Sources)
        {
            metrics.Behind(source.Source, source.IsBehind, assessment.MaxLag);
            var was = _behind.GetValueOrDefault(source.Source);
            if (source.IsBehind && !was)
            {
                LogBehind(logger, source.Source, source.WorstLag, source.WorstPartition, assessment.MaxLag, settings.MaxLagShareOfRetention, settings.RetainedMessagesPerPartition);
            }
            else if (!source.IsBehind && was)
            {
                LogCaughtUp(logger, source.Source, source.WorstLag, assessment.MaxLag);
            }

            _behind[source.Source] = source.IsBehind;
        }

        var topics = sources.ToDictionary(s => s.Name, s => s.Topic, StringComparer.Ordinal);
        var reports = lags
            .Where(l => topics.ContainsKey(l.Source))
            .Select(l => new ArchiverLagReport(settings.GroupIdOf(l.Source), topics[l.Source], l.Partition, l.Source, l.Lag, assessment.MaxLag))
            .ToArray();
        try
        {
            await store.ReportAsync(reports, cancellationToken).ConfigureAwait(false);
            _reportFailing = false;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The serving layer then stops seeing fresh reports and, after Serving:IngestBackpressure:MaxReportAge, admits
            // ingest again: logged once per outage, as it weakens the back-pressure.
            if (!_reportFailing)
            {
                LogReportFailed(logger, ex);
            }

            _reportFailing = true;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LagReportInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await AssessAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archiver {Source} is {Lag} messages behind on partition {Partition}, beyond the limit of {MaxLag} ({Share:P0} of the {Retained} messages the broker keeps per partition): the serving layer refuses its ingest until it catches up, before the broker evicts what it has not archived")]
    private static partial void LogBehind(ILogger logger, string source, long lag, int partition, long maxLag, double share, long retained);

    [LoggerMessage(Level = LogLevel.Information, Message = "Archiver {Source} caught up: at most {Lag} messages behind (limit {MaxLag})")]
    private static partial void LogCaughtUp(ILogger logger, string source, long lag, long maxLag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the archiver's lag to PostgreSQL failed; the serving layer cannot slow producers down until it works again")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);
}
