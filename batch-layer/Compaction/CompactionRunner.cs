using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Telemetry;
using Lambda.Shared.Dataset;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Compaction;

/// <summary>
/// Compacts the master dataset of every source of the catalog (<see cref="MasterDatasetCompactor"/>) under
/// the recompute lock, so that a compaction never deletes files a recompute is reading. Used by the
/// <c>compact</c> command and the recurring <see cref="CompactionJob"/>.
/// </summary>
public sealed class CompactionRunner
{
    private readonly LambdaCatalog _catalog;
    private readonly BatchLayerOptions _batch;
    private readonly CompactionOptions _options;
    private readonly IRecomputeLock _lock;
    private readonly TimeProvider _time;
    private readonly ILogger<CompactionRunner> _logger;
    private readonly BatchLayerMetrics? _metrics;
    private readonly IMasterCommitLogs? _logs;

    /// <summary>Creates the runner.</summary>
    public CompactionRunner(
        LambdaCatalog catalog,
        IOptions<BatchLayerOptions> batch,
        IOptions<CompactionOptions> options,
        IRecomputeLock recomputeLock,
        TimeProvider time,
        ILogger<CompactionRunner> logger,
        BatchLayerMetrics? metrics = null,
        IMasterCommitLogs? logs = null)
    {
        _metrics = metrics;
        _logs = logs;
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _batch = batch?.Value ?? throw new ArgumentNullException(nameof(batch));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _lock = recomputeLock ?? throw new ArgumentNullException(nameof(recomputeLock));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The configured options.</summary>
    public CompactionOptions Options => _options;

    /// <summary>
    /// Compacts every source with a master dataset: in the configured storage (the commit logs of
    /// <see cref="IMasterCommitLogs"/>, local or s3), or under <paramref name="datasetRoot"/> when given (a local
    /// dataset; also the default without registered commit logs: <see cref="BatchLayerOptions.DatasetRoot"/>);
    /// <paramref name="minAge"/> and <paramref name="maxEventsPerRecord"/> override the options.
    /// </summary>
    /// <exception cref="RecomputeLockTimeoutException">A recompute held the lock for the whole <see cref="CompactionOptions.LockWaitTimeout"/>.</exception>
    public async Task<IReadOnlyList<CompactionResult>> RunAsync(
        string? datasetRoot = null, TimeSpan? minAge = null, long? maxEventsPerRecord = null, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(string.IsNullOrWhiteSpace(datasetRoot) ? _batch.DatasetRoot : datasetRoot);
        var age = minAge ?? _options.MinAge;
        var bound = maxEventsPerRecord ?? _options.MaxEventsPerRecord;
        ArgumentOutOfRangeException.ThrowIfLessThan(age, TimeSpan.Zero, nameof(minAge));
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 2, nameof(maxEventsPerRecord));

        await using var lease = await _lock.AcquireAsync(_options.LockWaitTimeout, cancellationToken).ConfigureAwait(false);
        var results = new List<CompactionResult>();
        foreach (var source in _catalog.Sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IMasterCommitLog log = _logs is not null && string.IsNullOrWhiteSpace(datasetRoot) ? _logs.Open(source.Name) : new CommitLog(root, source.Name);
            if ((await log.ReadCommitsAsync(null, cancellationToken).ConfigureAwait(false)).Count == 0)
            {
                continue;
            }

            var compactor = new MasterDatasetCompactor(log, source, _options.FlushToDisk, _options.RowGroupSize, _time);
            var started = _time.GetTimestamp();
            var result = await compactor.CompactAsync(age, bound, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation(
                "Compacted {Source}: {RecordsSuperseded} commits into {RecordsWritten} records, {FilesBefore} files to {FilesAfter} ({FilesRead} files read, {FilesWritten} day files written, {RowsWritten} rows rewritten) in {Elapsed}",
                source.Name, result.RecordsSuperseded, result.RecordsWritten, result.FilesBefore, result.FilesAfter, result.FilesRead, result.FilesWritten, result.RowsWritten, _time.GetElapsedTime(started));
            _metrics?.Compacted(source.Name, result.RecordsSuperseded, result.FilesBefore, result.FilesAfter, result.RowsWritten, _time.GetElapsedTime(started));
            results.Add(result);
        }

        return results;
    }
}
