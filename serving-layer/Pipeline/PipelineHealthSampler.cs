using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Ingest;
using Lambda.Shared.Batch;
using Lambda.Shared.Kafka.Epochs;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>
/// Every <see cref="PipelineHealthOptions.SampleInterval"/>: one <see cref="PipelineSample"/> per catalog source into the
/// <see cref="PipelineHealthHistory"/>, and the newest batch run. A read that fails (or outlasts
/// <see cref="PipelineHealthOptions.ReadTimeout"/>) is logged and leaves the series it feeds null in that sample; the
/// loop goes on. Runs only when <see cref="PipelineHealthOptions.Enabled"/>.
/// </summary>
internal sealed partial class PipelineHealthSampler(
    LambdaCatalog catalog,
    IKafkaLogReader logReader,
    ISpeedProgressReader speedReader,
    IArchiverLagSource archiverLag,
    IBatchStatusStore runs,
    PipelineHealthHistory history,
    IOptions<PipelineHealthOptions> options,
    IOptions<IngestBackpressureOptions> backpressure,
    TimeProvider time,
    ILogger<PipelineHealthSampler> logger) : BackgroundService
{
    private readonly Dictionary<string, (DateTimeOffset Time, long Sum)> _previousLogEnds = new(StringComparer.Ordinal);

    /// <summary>Takes one sample of every source.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        // The archiver's fresh reports (MaxReportAge, as for back-pressure): older ones are from archivers that stopped.
        var reports = await ReadAsync("archiver_lag", "*", ct => archiverLag.ReadAsync(backpressure.Value.MaxReportAge, ct), cancellationToken).ConfigureAwait(false);
        var newest = await ReadAsync("last_recompute", "*", ct => runs.GetRecentRunsAsync(1, ct), cancellationToken).ConfigureAwait(false);
        history.SetRecompute(new RecomputeReading(now, newest?.FirstOrDefault(), newest is null));

        foreach (var source in catalog.Sources)
        {
            var logs = await ReadAsync("log_end", source.Name, ct => logReader.ReadAsync(source.Topic, ct), cancellationToken).ConfigureAwait(false);
            double? eventsPerSecond = null;
            long? speedLag = null;
            TimeSpan? freshness = null;
            if (logs is not null)
            {
                var sum = logs.Values.Sum(l => l.High);
                eventsPerSecond = _previousLogEnds.TryGetValue(source.Name, out var previous)
                    ? PipelineHealthMath.EventsPerSecond(previous.Sum, previous.Time, sum, now)
                    : null;
                _previousLogEnds[source.Name] = (now, sum);
                (speedLag, freshness) = await SpeedLagAsync(source.Name, logs, catalog.ViewsOf(source), now, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The next rate would span the gap: start over.
                _previousLogEnds.Remove(source.Name);
            }

            history.Add(source.Name, new PipelineSample(now, eventsPerSecond, speedLag, ArchiverLagOf(reports, source.Topic), freshness));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        do
        {
            await SampleAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>The topic's archiver lag summed over its fresh reports; null when none is fresh (no archiver reports it) or the read failed.</summary>
    private static long? ArchiverLagOf(IReadOnlyList<ArchiverLagReport>? reports, string topic)
    {
        var ofTopic = reports?.Where(r => r.Topic == topic).ToArray();
        return ofTopic is { Length: > 0 } ? ofTopic.Sum(r => r.Lag) : null;
    }

    private async Task<(long? Lag, TimeSpan? Freshness)> SpeedLagAsync(
        string source, IReadOnlyDictionary<int, PartitionLog> logs, IReadOnlyList<Lambda.Shared.Catalog.ViewDefinition> views, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var progress = new List<SpeedProgress>(views.Count);
        foreach (var view in views)
        {
            var read = await ReadAsync("speed_lag", source, ct => speedReader.ReadAsync(view, ct), cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                // The slowest view is not known without every view.
                return (null, null);
            }

            progress.Add(read);
        }

        return PipelineHealthMath.SpeedLag(logs, progress, now);
    }

    private async Task<T?> ReadAsync<T>(string series, string source, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
        where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ReadTimeout);
        try
        {
            return await read(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Reported as a gap in the series (null), which the endpoint and the page show; the next sample tries again.
            LogReadFailed(logger, series, source, ex);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline health: reading {Series} of source {Source} failed; the sample records null")]
    private static partial void LogReadFailed(ILogger logger, string series, string source, Exception exception);
}
