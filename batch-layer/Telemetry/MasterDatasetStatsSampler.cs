using Lambda.BatchLayer.Dataset;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Telemetry;

/// <summary>
/// Measures, every <see cref="DatasetStatsOptions.Interval"/>, the files and bytes each source's committed master
/// dataset snapshot names, for <see cref="BatchLayerMetrics"/>: a scrape must not read commit logs itself.
/// </summary>
internal sealed partial class MasterDatasetStatsSampler(
    LambdaCatalog catalog,
    IOptions<BatchLayerOptions> batch,
    IOptions<DatasetStatsOptions> options,
    BatchLayerMetrics metrics,
    TimeProvider time,
    ILogger<MasterDatasetStatsSampler> logger) : BackgroundService
{
    /// <summary>Measures every source once.</summary>
    public void Sample()
    {
        var root = batch.Value.GetDatasetRootPath();
        foreach (var source in catalog.Sources)
        {
            if (!Directory.Exists(MasterDatasetLayout.CommitDirectory(root, source.Name)))
            {
                continue;
            }

            var snapshot = MasterDatasetSnapshot.Load(root, source.Name);
            long bytes = 0;
            foreach (var file in snapshot.Files)
            {
                var info = new FileInfo(snapshot.GetPath(file));
                // A compaction may delete a superseded file between the snapshot and the stat; the next sample counts right.
                bytes += info.Exists ? info.Length : 0;
            }

            metrics.DatasetSize(source.Name, snapshot.Files.Count, bytes);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                Sample();
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
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
