using System.ComponentModel;
using DuckDB.NET.Data;
using Hangfire;
using Lambda.BatchLayer.Scheduling;
using Lambda.Shared.AdHoc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// Runs a submitted ad hoc job (<see cref="IAdHocJob"/>, Hangfire queue <see cref="RecomputeJob.Queue"/>) on whichever
/// batch worker takes it: opens a read-only session (<see cref="AdHocSqlEngine"/>) over the committed snapshot as it is
/// now, records that snapshot as the job starts, writes the result with DuckDB's <c>COPY</c> to
/// <c>&lt;root&gt;/jobs/&lt;id&gt;/result.&lt;format&gt;</c> (<see cref="AdHocJobLayout"/>), and every
/// <see cref="AdHocJobOptions.PollInterval"/> stores DuckDB's progress and reads the job's state back: a job cancelled
/// through the API has its query interrupted and its partial file removed. Refused or failing SQL fails the job (no
/// retry: it would fail again), and so does any other error but PostgreSQL's (whose retry may succeed); a worker stopped mid-job (Hangfire's token) leaves it running, and Hangfire's retry or
/// requeue starts it again, over the snapshot as it is then.
/// </summary>
public sealed partial class AdHocJobRunner : IAdHocJob
{
    private readonly AdHocSqlEngine _engine;
    private readonly IAdHocJobRuns _store;
    private readonly BatchLayerOptions _batch;
    private readonly AdHocJobOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AdHocJobRunner> _logger;

    /// <summary>Created by Hangfire's job activator from DI.</summary>
    public AdHocJobRunner(
        AdHocSqlEngine engine,
        IAdHocJobRuns store,
        IOptions<BatchLayerOptions> batch,
        IOptions<AdHocJobOptions> options,
        TimeProvider time,
        ILogger<AdHocJobRunner> logger)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _batch = batch?.Value ?? throw new ArgumentNullException(nameof(batch));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    [Queue(RecomputeJob.Queue)]
    [DisplayName("Ad hoc job {0}")]
    public async Task RunAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(jobId, out var id))
        {
            LogMalformedId(_logger, jobId);
            return;
        }

        var job = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null || job.State.IsFinished())
        {
            LogSkipped(_logger, id, job?.State.ToName() ?? "unknown");
            return;
        }

        try
        {
            await RunJobAsync(job, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not Npgsql.NpgsqlException)
        {
            // Anything else (a damaged commit log, a full disk) would fail the same way on a retry and leave the job
            // waiting for ever: the job fails, the detail goes to the log, not to the API.
            LogCrashed(_logger, ex, id);
            await _store.FailAsync(id, $"the job failed on the batch worker ({ex.GetType().Name}); the batch layer's log has the details", _time.GetUtcNow(), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async Task RunJobAsync(AdHocJob job, CancellationToken cancellationToken)
    {
        var id = job.Id;
        var root = Path.GetFullPath(_batch.DatasetRoot);
        var relative = AdHocJobLayout.RelativeResultPath(id, job.Format);
        var output = AdHocJobLayout.Resolve(root, relative);
        using var session = await _engine.OpenAsync(root, cancellationToken, outputFiles: [output]).ConfigureAwait(false);
        var started = await _store.StartAsync(id, session.Snapshot.ToJson(), RecomputeRunner.HostIdentity, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (started is null)
        {
            LogSkipped(_logger, id, "no longer queued");
            return;
        }

        LogStarted(_logger, id, started.Attempts, string.Join(", ", session.Views.Keys));
        DeleteResult(output);
        var progress = new AdHocJobProgress();
        using var query = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopWatching = new CancellationTokenSource();
        var watch = WatchAsync(id, progress, query, stopWatching.Token);
        long rows;
        try
        {
            var format = job.Format == AdHocJobFormat.Csv ? AdHocOutputFormat.Csv : AdHocOutputFormat.Parquet;
            rows = await session.ExportAsync(job.Sql, output, format, progress, query.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only the watch cancels the query while the worker's own token has not fired: the job was cancelled.
            DeleteResult(output);
            LogCancelled(_logger, id);
            return;
        }
        catch (Exception ex) when (ex is AdHocQueryRefusedException or DuckDBException)
        {
            DeleteResult(output);
            await _store.FailAsync(id, ex.Message, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            LogFailed(_logger, id, ex.Message);
            return;
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }

        var bytes = new FileInfo(output).Length;
        if (await _store.SucceedAsync(id, relative, rows, bytes, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            LogSucceeded(_logger, id, rows, bytes, relative);
        }
        else
        {
            // Cancelled after the query finished but before it was recorded: the job says cancelled, so no result stays.
            DeleteResult(output);
            LogCancelled(_logger, id);
        }
    }

    private async Task WatchAsync(Guid id, AdHocJobProgress progress, CancellationTokenSource query, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(_options.PollInterval, _time, stop).ConfigureAwait(false);
                var state = await _store.ReportProgressAsync(id, progress.Percent, stop).ConfigureAwait(false);
                if (state != AdHocJobState.Running)
                {
                    LogInterrupting(_logger, id, state?.ToName() ?? "gone");
                    await query.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The query ended; so does the watch.
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            // Without the store the job can neither show progress nor hear a cancel; the query itself goes on, and its
            // end is recorded (or fails, and Hangfire retries) once PostgreSQL answers again.
            LogWatchFailed(_logger, ex, id);
        }
    }

    private static void DeleteResult(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Ad hoc job {JobId} failed on this worker")]
    private static partial void LogCrashed(ILogger logger, Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ad hoc job id '{JobId}' is not a GUID; nothing to run")]
    private static partial void LogMalformedId(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ad hoc job {JobId} not run: {State}")]
    private static partial void LogSkipped(ILogger logger, Guid jobId, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ad hoc job {JobId} started (attempt {Attempt}) over {Views}")]
    private static partial void LogStarted(ILogger logger, Guid jobId, int attempt, string views);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ad hoc job {JobId} succeeded: {Rows} rows, {Bytes} bytes in {Path}")]
    private static partial void LogSucceeded(ILogger logger, Guid jobId, long rows, long bytes, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ad hoc job {JobId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, Guid jobId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ad hoc job {JobId} cancelled; its query was interrupted")]
    private static partial void LogCancelled(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ad hoc job {JobId} is {State}: interrupting its query")]
    private static partial void LogInterrupting(ILogger logger, Guid jobId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ad hoc job {JobId}: the store did not answer; progress and cancel stop being watched")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, Guid jobId);
}
