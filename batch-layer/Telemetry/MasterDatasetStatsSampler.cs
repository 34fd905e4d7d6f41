using Lambda.Shared.Dataset;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Telemetry;

/// <summary>
/// Measures, every <see cref="DatasetStatsOptions.Interval"/>, the files and bytes each source's committed master
/// dataset snapshot names in the configured storage (<see cref="IMasterCommitLog.MeasureAsync"/>: local files, or the
/// s3 kind's objects), for <see cref="BatchLayerMetrics"/>: a scrape must not read commit logs itself.
/// </summary>
internal sealed partial class MasterDatasetStatsSampler(
    LambdaCatalog catalog,
    IMasterCommitLogs logs,
    IOptions<DatasetStatsOptions> options,
    BatchLayerMetrics metrics,
    TimeProvider time,
    ILogger<MasterDatasetStatsSampler> logger) : BackgroundService
{
    /// <summary>Measures every source of the catalog that has a master dataset once.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var stored = (await logs.ListSourcesAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        foreach (var source in catalog.Sources.Where(s => stored.Contains(s.Name)))
        {
            var size = await logs.Open(source.Name).MeasureAsync(cancellationToken).ConfigureAwait(false);
            metrics.DatasetSize(source.Name, size.Files, size.Bytes);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or Npgsql.NpgsqlException or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
            {
                // The gauges keep their last values; the failure is visible in the log, not hidden.
                LogSampleFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Measuring the master dataset for the metrics failed")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
