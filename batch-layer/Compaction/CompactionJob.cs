using Hangfire;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Compaction;

/// <summary>
/// The recurring Hangfire job that compacts the master dataset (<see cref="CompactionRunner"/>). Not retried:
/// the next run does the same work, and an interrupted one is completed by the next run's recovery.
/// </summary>
public sealed class CompactionJob
{
    /// <summary>The recurring job id.</summary>
    public const string RecurringJobId = "compact-master-dataset";

    private readonly CompactionRunner _runner;
    private readonly ILogger<CompactionJob> _logger;

    /// <summary>Creates the job.</summary>
    public CompactionJob(CompactionRunner runner, ILogger<CompactionJob> logger)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Compacts every source with the configured options.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var results = await _runner.RunAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _logger.LogInformation(
            "Compaction job done: {Sources} sources, {RecordsSuperseded} commits merged, {FilesBefore} files to {FilesAfter}",
            results.Count, results.Sum(r => r.RecordsSuperseded), results.Sum(r => r.FilesBefore), results.Sum(r => r.FilesAfter));
    }
}
