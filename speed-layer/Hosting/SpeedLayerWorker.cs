using Lambda.SpeedLayer.Fencing;
using Lambda.SpeedLayer.Storage;
using Lambda.Shared.BatchViews;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Dataset;
using Lambda.Shared.Deployment;
using Lambda.Shared.Kafka;
using Lambda.Shared.Kafka.Epochs;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Consuming;
using Lambda.SpeedLayer.DeadLetters;
using Lambda.SpeedLayer.Flushing;
using Lambda.SpeedLayer.Health;
using Lambda.SpeedLayer.Metrics;
using Lambda.SpeedLayer.Pipeline;
using Lambda.SpeedLayer.Replay;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Hosting;

/// <summary>
/// The speed-layer service: creates the speed tables from the catalog, in Kappa mode (<c>Lambda:Mode</c>) replays the
/// master dataset into them (<see cref="MasterDatasetReplay"/>), then consumes until the host
/// stops (graceful: flush, then commit). A failure it cannot recover from stops the host with exit code 1;
/// nothing is committed past what ClickHouse holds, so a restart loses and repeats nothing.
/// </summary>
internal sealed partial class SpeedLayerWorker(
    LambdaCatalog catalog,
    ISpeedTableWriter store,
    IFencingTokenSource fencing,
    IDeadLetterSink deadLetters,
    KafkaClientConfigFactory kafka,
    IOptions<SpeedLayerOptions> options,
    SpeedLayerMetrics metrics,
    SpeedLayerStatus status,
    EpochPlanner epochs,
    OffsetEpochStatus epochStatus,
    IOptions<KafkaOptions> kafkaOptions,
    IHostApplicationLifetime lifetime,
    Lookups.ILookupSnapshotSource lookups,
    IOptions<LambdaModeOptions> mode,
    IMasterCommitLogs datasets,
    IOptions<BatchStorageOptions> storage,
    ILoggerFactory loggerFactory,
    TimeProvider time) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<SpeedLayerWorker>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        try
        {
            var pipeline = new SpeedPipeline(catalog, deadLetters, settings, metrics, time, lookups: lookups);
            await EnsureSchemaAsync(pipeline, settings, stoppingToken).ConfigureAwait(false);
            status.SchemaReady = true;

            var ownership = new PartitionOwnership();
            using var writersStop = new CancellationTokenSource();
            var coordinator = new FlushCoordinator(pipeline.Views, store, settings, ownership, metrics, loggerFactory, time);
            coordinator.Start(writersStop.Token);
            try
            {
                var planner = new ResumePlanner(store, fencing);
                if (mode.Value.IsKappa)
                {
                    // Kappa: the views are built from the archive first; Kafka then continues where the archive ends.
                    LogReplayStarting(_logger, storage.Value.ResolveRoot());
                    var replay = new MasterDatasetReplay(
                        catalog, pipeline, coordinator, planner, ownership, datasets, loggerFactory.CreateLogger<MasterDatasetReplay>());
                    status.Replaying = true;
                    long replayed;
                    try
                    {
                        replayed = await replay.RunAsync(stoppingToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        status.Replaying = false;
                    }

                    LogReplayDone(_logger, replayed);
                }

                var consumer = new KafkaSpeedConsumer(
                    pipeline, coordinator, planner, ownership, kafka, settings, metrics, status,
                    epochs, epochStatus, kafkaOptions.Value.StoppedPartitionRecheck, loggerFactory.CreateLogger<KafkaSpeedConsumer>(), time);
                await consumer.RunAsync(stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                // The consumer has flushed what it could; whatever still waits for ClickHouse is abandoned
                // uncommitted and consumed again after a restart.
                await writersStop.CancelAsync().ConfigureAwait(false);
                await coordinator.DisposeAsync().ConfigureAwait(false);
            }

            LogStopped(_logger);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(_logger);
        }
        catch (Exception ex)
        {
            LogFatal(_logger, ex);
            status.Fault = ex;
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private async Task EnsureSchemaAsync(SpeedPipeline pipeline, SpeedLayerOptions settings, CancellationToken stoppingToken)
    {
        // ClickHouse may start after the speed layer: keep trying (transient failures only) until it answers.
        var retry = ClickHouseRetry.Create(
            settings.RetryPolicy,
            time,
            args =>
            {
                LogSchemaRetry(_logger, args.Outcome.Exception, args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            });
        var versions = await retry.ExecuteAsync(
            async ct => await store.EnsureSchemaAsync(pipeline.Views, ct).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
        LogSchemaReady(_logger, versions.Count, string.Join(", ", versions.Select(v => v.Table)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Speed tables ready for {Count} view(s): {Tables}")]
    private static partial void LogSchemaReady(ILogger logger, int count, string tables);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ClickHouse is not reachable yet; creating the speed tables again in {DelayMs:0} ms")]
    private static partial void LogSchemaRetry(ILogger logger, Exception? exception, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kappa mode: replaying the master dataset under {Root} into the speed tables before consuming")]
    private static partial void LogReplayStarting(ILogger logger, string root);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kappa mode: replay done ({Events} events); consuming from Kafka where the archive ends")]
    private static partial void LogReplayDone(ILogger logger, long events);

    [LoggerMessage(Level = LogLevel.Information, Message = "Speed layer stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Speed layer failed and stops the process; it resumes from ClickHouse when restarted")]
    private static partial void LogFatal(ILogger logger, Exception exception);
}
